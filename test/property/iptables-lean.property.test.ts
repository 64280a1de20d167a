// A lean netfilter event finds its five keys by searching for them instead of walking every token.
// Whatever the line (keys repeated, at the start, glued to other text, after a quoted `[...]` packet,
// runs of spaces), the lean event must be the full event without `fields` and `message`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iptablesFormat } from '../../src/ingest/formats/firewall/iptables.js';
import type { LineOutcome, ParseContext } from '../../src/ingest/format.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'iptables');
const lines = readdirSync(FIXTURES).filter((f) => f !== 'NOTICE.md').flatMap((f) => readFileSync(join(FIXTURES, f), 'utf8').split('\n')).filter((l) => l.includes('SRC='));

const ctx: ParseContext = { path: 'p', tz: 'UTC', yearFor: () => 2026, skip: () => {} } as unknown as ParseContext;

function read(text: string, lean: boolean): LineOutcome {
  return iptablesFormat.lineReader!(ctx)({ line: 1, text }, lean ? new Set() : undefined);
}

/** Tokens that look like, or almost like, the keys the lean search looks for. */
const token = fc.constantFrom(
  'SRC=203.0.113.9', 'DST=198.51.100.7', 'SPT=22', 'DPT=4444', 'PROTO=UDP', 'PROTO=ICMP', 'SRC=', 'DPT=',
  'XSRC=10.0.0.1', 'SRC==1.2.3.4', 'SRC', 'DPTX=9', 'MSRC=5.5.5.5', '[SRC=10.9.9.9', 'DST=10.9.9.8]', '[', ']',
  'SPT=99999', 'DPT=abc', 'LEN=40', 'TYPE=3', 'CODE=1', 'MARK=0x1', '', ' ',
);

describe('lean netfilter records (property)', () => {
  it('a lean event is the full event without fields and message, for any tokens inserted anywhere', () => {
    fc.assert(
      fc.property(fc.constantFrom(...lines), fc.boolean(), fc.array(fc.tuple(fc.nat(), token, fc.constantFrom(' ', '  ', '')), { maxLength: 6 }), (line, noIn, inserts) => {
        // Without `IN=` the packet fields start at the first KEY= token, which may be one searched for.
        let text = noIn ? line.replace(/\bIN=\S* (OUT=\S* )?/, '') : line;
        for (const [at, t, gap] of inserts) {
          const cut = at % (text.length + 1);
          text = `${text.slice(0, cut)}${gap}${t}${gap === '' ? '' : ' '}${text.slice(cut)}`;
        }
        const full = read(text, false);
        const lean = read(text, true);
        if (full && 'event' in full) {
          const { fields: _f, message: _m, ...rest } = full.event;
          expect(lean).toEqual({ event: rest });
        } else expect(lean).toEqual(full);
      }),
      { numRuns: RUNS },
    );
  });
});
