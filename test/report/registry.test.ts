import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RENDERERS, rendererByName } from '../../src/report/registry.js';

describe('report registry', () => {
  it('lists every contract output format once', () => {
    const names = RENDERERS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['table', 'json', 'jsonl', 'csv', 'md', 'html']) expect(rendererByName(name)?.name).toBe(name);
  });

  it('lists every renderer exported by a file in src/report', async () => {
    const found: string[] = [];
    for (const file of readdirSync('src/report').filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(/* @vite-ignore */ pathToFileURL(resolve('src/report', file)).href)) as Record<string, unknown>;
      for (const value of Object.values(mod)) {
        const r = value as { name?: unknown; render?: unknown } | null;
        if (r && typeof r === 'object' && typeof r.name === 'string' && typeof r.render === 'function') found.push(r.name);
      }
    }
    expect(found.length).toBeGreaterThanOrEqual(6);
    expect([...found].sort()).toEqual(RENDERERS.map((r) => r.name).sort());
  });
});
