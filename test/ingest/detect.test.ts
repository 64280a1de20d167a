// Detection looks past a first line longer than the usual 64 KiB head (a transcript record that
// carries a whole file is common), up to the document probe size.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEAD_BYTES, peek } from '../../src/ingest/detect.js';
import { ingestFile } from '../helpers/ingest.js';

describe('detect() with long first lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'af-detect-'));

  it('reads a Claude Code transcript whose first record is larger than the head', async () => {
    const lines = readFileSync('samples/agent/claude-ep0413.jsonl', 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]!);
    first.message.content = 'x'.repeat(HEAD_BYTES * 2);
    lines[0] = JSON.stringify(first);
    const path = join(dir, 'big-first.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    const r = await ingestFile(path);
    expect(r.format).toBe('claude-code');
    expect(r.events).toHaveLength(4);
    expect(r.issues).toEqual([]);
  });

  it('reads an agent-events file whose first call carries a 1 MB output', async () => {
    const call = { v: 'agent-events/1', type: 'tool_call', session: 's', call_id: 'c1', tool: 'bash', command: 'cat big.log', start: '2026-03-02T10:00:00Z', output: 'y'.repeat(1 << 20) };
    const second = { ...call, call_id: 'c2', output: 'ok', start: '2026-03-02T10:00:05Z' };
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, JSON.stringify(call) + '\n' + JSON.stringify(second) + '\n');
    const r = await ingestFile(path);
    expect(r.format).toBe('agent-events');
    expect(r.events.map((e) => e.callId)).toEqual(['c1', 'c2']);
  });
});

describe('peek()', () => {
  /** A source that records whether it was stopped (a file's stream closes its descriptor then). */
  function source(chunks: number) {
    const state = { stopped: false, read: 0 };
    async function* gen(): AsyncGenerator<Buffer> {
      try {
        for (let i = 0; i < chunks; i++) {
          state.read++;
          yield Buffer.from(('x'.repeat(1023) + '\n').repeat(HEAD_BYTES / 1024));
        }
      } finally {
        state.stopped = true;
      }
    }
    return { state, chunks: gen() };
  }

  it('passes a stop before the first replayed chunk on to the source (detection that has seen enough closes the file)', async () => {
    const s = source(5);
    const peeked = await peek(s.chunks);
    expect(peeked.complete).toBe(false);
    await peeked.chunks[Symbol.asyncIterator]().return!();
    expect(s.state.stopped).toBe(true);
    expect(s.state.read).toBe(1);
  });

  it('replays the head, then the rest, once', async () => {
    const s = source(3);
    const peeked = await peek(s.chunks);
    const sizes: number[] = [];
    for await (const c of peeked.chunks) sizes.push(c.length);
    expect(sizes).toEqual([HEAD_BYTES, HEAD_BYTES, HEAD_BYTES]);
    expect(s.state.stopped).toBe(true);
    const again = await peeked.chunks[Symbol.asyncIterator]().next();
    expect(again.done).toBe(true);
  });
});
