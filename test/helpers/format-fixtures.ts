// Test helper: the checks every format test makes against test/fixtures/ (one folder per format,
// holding only that format's files), and in-memory heads and lines for edge cases too small for a file.
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildHead } from '../../src/ingest/detect.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../src/ingest/format.js';
import { detectInput, type ReadSettings } from '../../src/ingest/ingest.js';
import { formatByName } from '../../src/ingest/registry.js';
import type { ForensicEvent } from '../../src/model/event.js';
import { fixture, ingestFile } from './ingest.js';

type Ingested = Awaited<ReturnType<typeof ingestFile>>;

/** The fixture files of one format folder (NOTICE.md says where they come from; it is no input). */
export function ownFixtures(name: string): string[] {
  return readdirSync(fixture(name))
    .filter((f) => f !== 'NOTICE.md' && !f.startsWith('.'))
    .map((f) => fixture(name, f));
}

/** Every fixture file of every other format folder: the cross-check that a probe claims only its own. */
export function otherFixtures(name: string): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(fixture(), { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === name) continue;
    out.push(...ownFixtures(dir.name));
  }
  return out;
}

export interface FixtureFolderChecks {
  /** read settings for the own fixtures (year-less syslog wants a year) */
  settings?: Partial<ReadSettings>;
  /** more checks on each own fixture as read */
  each?: (r: Ingested, path: string) => void;
  /** which neighbours make the cross-check worth it, appended to its test name */
  neighbours?: string;
}

/**
 * Registers, in the enclosing describe, the two tests every format has: detection picks it for
 * each file of its folder, and its probe gives 0 (so detection lists no score) to every other file.
 */
export function itClaimsOnlyItsFixtures(name: string, checks: FixtureFolderChecks = {}): void {
  it(`detect() picks ${name} for every file in its fixture folder`, async () => {
    const paths = ownFixtures(name);
    expect(paths.length, name).toBeGreaterThan(0);
    for (const path of paths) {
      const r = await ingestFile(path, checks.settings);
      expect(r.format, path).toBe(name);
      checks.each?.(r, path);
    }
  });

  it(`probe() scores 0 on every other format fixture${checks.neighbours ? ` (${checks.neighbours})` : ''}`, async () => {
    const format = formatByName(name);
    expect(format, name).toBeDefined();
    for (const path of otherFixtures(name)) {
      const d = await detectInput({ path, isStdin: false }, { tz: 'UTC' });
      expect(format!.probe(d.head), path).toBe(0);
      expect(d.scores.find((s) => s.name === name), path).toBeUndefined();
    }
  });
}

/** The head detection would build from `text` as a whole input. */
export const headOf = (text: string): Head => buildHead(Buffer.from(text), true);

/** Runs one format's parse() on in-memory lines, numbered from 1, and collects what it skips. */
export async function parseTexts(
  format: InputFormat,
  texts: string[],
  yearFor: ParseContext['yearFor'] = () => 2026,
): Promise<{ events: ForensicEvent[]; skips: { line?: number; message: string }[] }> {
  const skips: { line?: number; message: string }[] = [];
  const ctx: ParseContext = { path: 'mem', tz: 'UTC', yearFor, skip: (w, message) => skips.push({ line: w.line, message }), note: () => {} };
  async function* lines(): AsyncGenerator<LineRecord> {
    for (let i = 0; i < texts.length; i++) yield { line: i + 1, text: texts[i]! };
  }
  const events: ForensicEvent[] = [];
  for await (const e of format.parse(lines(), ctx)) events.push(e);
  return { events, skips };
}

/** Reads a fixture that must parse without a skip into exactly `count` events. */
export async function ingestClean(path: string, count: number, settings: Partial<ReadSettings> = {}): Promise<Ingested> {
  const r = await ingestFile(path, settings);
  expect(r.issues).toEqual([]);
  expect(r.events).toHaveLength(count);
  return r;
}

/** Reads a fixture with damaged lines: exactly the `skipped` lines are reported, exactly the `kept` ones become events. */
export async function expectDamagedLines(path: string, skipped: number[], kept: number[], settings: Partial<ReadSettings> = {}): Promise<void> {
  const r = await ingestFile(path, settings);
  expect(r.issues.map((i) => i.line)).toEqual(skipped);
  expect(r.events.map((e) => e.ref.line)).toEqual(kept);
}

/** Reads a JSON document fixture clean: one event per entry, in order, with the entry's index as its ref. */
export async function expectIndexRefs(path: string, operations: string[]): Promise<void> {
  const r = await ingestFile(path);
  expect(r.container).toBe('json');
  expect(r.issues).toEqual([]);
  expect(r.events.map((e) => [e.ref, e.operation])).toEqual(operations.map((operation, index) => [{ path, index }, operation]));
}
