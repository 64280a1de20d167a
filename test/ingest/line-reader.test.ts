// Formats with a line reader are read two ways: `events` (the async stream every consumer can use)
// and `each` (the fast path scans take). Both must give the same events and the same problems.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInput, parseInput } from '../../src/ingest/ingest.js';
import { FORMATS } from '../../src/ingest/registry.js';
import type { ForensicEvent } from '../../src/model/event.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const settings = { tz: 'Europe/Berlin', year: 2026 };
const withReader = FORMATS.filter((f) => f.lineReader || f.statefulReader);

async function bothWays(path: string) {
  const detected = await detectInput({ path, isStdin: false }, settings);
  const format = detected.format!;
  const streamed = parseInput(detected, format, settings);
  const viaEvents: ForensicEvent[] = [];
  for await (const e of streamed.events) viaEvents.push(e);
  await streamed.read;
  const fast = parseInput(detected, format, settings);
  const viaEach: ForensicEvent[] = [];
  // A whole document (CloudTrail's Records files) has no line reader: its events stream is all there is.
  if (fast.each) await fast.each((e) => void viaEach.push(e));
  else {
    expect(detected.head.container).toBe('json');
    for await (const e of fast.events) viaEach.push(e);
  }
  return { format: format.name, viaEvents, viaEach, issues: [streamed.issues, fast.issues], notes: [streamed.notes, fast.notes], read: [await streamed.read, await fast.read] };
}

describe('line readers', () => {
  it('are given by the big line formats, and (keeping state, or several events a line) by agent-events transcripts and audit JSON lines', () => {
    expect(withReader.map((f) => f.name).sort()).toEqual(['agent-events', 'alibaba-actiontrail', 'alibaba-cloudfirewall', 'aws-cloudtrail', 'azure-activity', 'gcp-audit', 'iptables', 'k8s-audit', 'opensandbox-egress', 'pfsense-filterlog', 'suricata-eve']);
    expect(FORMATS.filter((f) => f.statefulReader).map((f) => f.name).sort()).toEqual(['agent-events', 'alibaba-actiontrail', 'aws-cloudtrail', 'azure-activity', 'gcp-audit', 'k8s-audit']);
  });

  it('agent-events: each() stops where take() says, and gives the calls still open at the end', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'af-stateful-')), 't.jsonl');
    const call = (id: string, end?: string) => JSON.stringify({ v: 'agent-events/1', type: 'tool_call', session: 's', call_id: id, command: 'ls', start: '2026-03-02T10:00:00Z', ...(end ? { end } : {}) });
    const result = (id: string) => JSON.stringify({ v: 'agent-events/1', type: 'tool_result', session: 's', call_id: id, end: '2026-03-02T10:00:05Z' });
    writeFileSync(path, [call('a'), call('b', '2026-03-02T10:00:01Z'), '{"v": 1}', result('a'), call('c'), ''].join('\n'));
    const detected = await detectInput({ path, isStdin: false }, settings);
    const all: string[] = [];
    const parsed = parseInput(detected, detected.format!, settings);
    await parsed.each!((e) => void all.push(e.callId!));
    // b is done before a, but calls leave in line order: a waits for its result, c for the end.
    expect(all).toEqual(['a', 'b', 'c']);
    expect(parsed.issues.map((i) => i.line)).toEqual([3]);
    const first: string[] = [];
    await parseInput(detected, detected.format!, settings).each!((e) => (first.push(e.callId!), false));
    expect(first).toEqual(['a']);
  });

  for (const format of withReader) {
    it(`${format.name}: each() gives what the events stream gives, for every fixture`, async () => {
      const dir = join(FIXTURES, format.name);
      const files = readdirSync(dir).filter((f) => f !== 'NOTICE.md');
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const r = await bothWays(join(dir, file));
        expect(r.format).toBe(format.name);
        expect(r.viaEach).toEqual(r.viaEvents);
        expect(r.issues[1]).toEqual(r.issues[0]);
        expect(r.notes[1]).toEqual(r.notes[0]);
      }
    });
  }

  it('a truncated gzip log: the same events, and the read error at the same line', async () => {
    const text = readFileSync(join(FIXTURES, 'iptables', 'crowdsec-iptables-logs.log'));
    const lines = Buffer.concat(Array.from({ length: 40 }, () => text));
    const gz = gzipSync(lines);
    const path = join(mkdtempSync(join(tmpdir(), 'af-line-reader-')), 'kern.log.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const r = await bothWays(path);
    expect(r.viaEvents.length).toBeGreaterThan(0);
    expect(r.viaEach).toEqual(r.viaEvents);
    expect(r.read[0]!.error).toMatch(/truncated|unexpected end/i);
    expect(r.read[1]).toEqual(r.read[0]);
  });

  it('stops at the end of the chunk when take() returns false', async () => {
    const path = join(FIXTURES, 'iptables', 'crowdsec-iptables-logs.log');
    const detected = await detectInput({ path, isStdin: false }, settings);
    const parsed = parseInput(detected, detected.format!, settings);
    let seen = 0;
    await parsed.each!(() => {
      seen++;
      return false;
    });
    expect(seen).toBe(1);
  });
});
