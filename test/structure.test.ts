// The layout is the pipeline: imports point one way (ingest → timeline → rules → attribution → report,
// all on model), and every format file is listed in the one registry. These tests fail when that drifts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../src/ingest/registry.js';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The layer of a source file: its top folder under src/, or its own name for top-level files. */
const layerOf = (file: string) => relative(SRC, file).split('/')[0]!.replace(/\.(ts|js)$/, '');

/** What each layer may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  model: [],
  ingest: ['model'],
  timeline: ['model', 'ingest'],
  rules: ['model'],
  attribution: ['model', 'rules', 'timeline'],
  enrich: ['model', 'rules'],
  report: ['model'],
  integrity: ['model'],
  options: ['model', 'timeline'],
  version: [],
  scan: ['model', 'ingest', 'rules', 'attribution', 'timeline'],
  'scan-marks': ['model', 'rules', 'scan', 'timeline'],
  // A worker also reads inputs again for the timeline and prints their lines there (in parallel).
  'scan-worker': ['model', 'ingest', 'rules', 'scan', 'timeline', 'report'],
  'scan-pool': ['model', 'scan', 'scan-worker'],
  'scan-split': ['model', 'scan'],
  pipeline: ['model', 'ingest', 'timeline', 'rules', 'attribution', 'enrich', 'options', 'scan', 'scan-marks', 'scan-pool', 'scan-split', 'scan-worker', 'version'],
  cli: ['model', 'ingest', 'timeline', 'rules', 'attribution', 'report', 'integrity', 'options', 'pipeline', 'version'],
};

describe('source layout', () => {
  it('imports point the way the pipeline flows', () => {
    const wrong: string[] = [];
    for (const file of files(SRC)) {
      const from = layerOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const to = layerOf(resolve(dirname(file), m[1]!));
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`${relative(SRC, file)} imports ${m[1]} (${from} → ${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every format file is listed in the registry under its own name, and names are unique', () => {
    const dir = join(SRC, 'ingest', 'formats');
    const onDisk = files(dir).map((f) => relative(dir, f).replace(/\.ts$/, '').split('/')[1]!).sort();
    expect(FORMATS.map((f) => f.name).sort()).toEqual(onDisk);
    expect(new Set(FORMATS.map((f) => f.name)).size).toBe(FORMATS.length);
  });
});
