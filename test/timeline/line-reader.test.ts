// The synchronous line reader the tool calls are read back with: lines whole across its 256 KiB
// reads, multi-byte characters whole where a read cuts them, a last line without a newline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/timeline/json-lines-file.js';

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
