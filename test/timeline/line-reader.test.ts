// The synchronous line reader the tool calls are read back with: lines whole across its 256 KiB
// reads, multi-byte characters whole where a read cuts them, a last line without a newline.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineReader, readJsonLines } from '../../src/timeline/json-lines-file.js';

function readAll(path: string): string[] {
  const reader = new LineReader(path);
  const out: string[] = [];
  for (let line = reader.next(); line !== undefined; line = reader.next()) out.push(line);
  return out;
}

describe('LineReader', () => {
  it('gives every line whole, multi-byte characters included, across reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-lines-'));
    try {
      // lines of 1, 2, 3 and 4-byte characters of odd lengths: reads of 256 KiB cut some characters in two
      const lines = Array.from({ length: 3000 }, (_, i) => ['a', 'é', '€', '😀'][i % 4]!.repeat(37 + (i % 311)) + `#${i}`);
      writeFileSync(join(dir, 'f'), lines.join('\n') + '\n');
      expect(readAll(join(dir, 'f'))).toEqual(lines);
      writeFileSync(join(dir, 'g'), 'one\n\nthree');
      expect(readAll(join(dir, 'g'))).toEqual(['one', '', 'three']);
      writeFileSync(join(dir, 'h'), '');
      expect(readAll(join(dir, 'h'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readJsonLines()', () => {
  it('gives every line in batches, multi-byte characters across reads included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-jsonl-'));
    try {
      const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, text: 'é€𝄞'.repeat(i % 40) }));
      writeFileSync(join(dir, 'a.jsonl'), lines.join('\n') + '\n');
      const got: string[] = [];
      for await (const batch of readJsonLines(join(dir, 'a.jsonl'))) got.push(...batch);
      expect(got).toEqual(lines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A merge reads the marked records of every input side by side: a thousand inputs must not hold a thousand descriptors.
  it.skipIf(!existsSync('/proc/self/fd'))('holds no file open between two batches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'af-jsonl-'));
    try {
      const readers: AsyncGenerator<string[]>[] = [];
      const before = readdirSync('/proc/self/fd').length;
      for (let k = 0; k < 200; k++) {
        writeFileSync(join(dir, `${k}.jsonl`), Array.from({ length: 600 }, (_, i) => `{"k":${k},"i":${i}}`).join('\n') + '\n');
        const r = readJsonLines(join(dir, `${k}.jsonl`));
        expect((await r.next()).value).toHaveLength(256);
        readers.push(r);
      }
      expect(readdirSync('/proc/self/fd').length - before).toBeLessThan(20);
      for (const r of readers) await r.return(undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
