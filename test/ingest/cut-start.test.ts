// JSON lines that begin with a damaged or partial record: a log cut by `tail -c`, rotated or copied
// while it was written, or a slice a worker reads from a line that is broken. The first line is a
// bad record like any other (skipped, reported); the rest is read. Such inputs used to be taken for
// a pretty-printed document, then not recognized at all, or (a CloudTrail slice) lost whole.
// And lines after a hole of NUL bytes, which a crash leaves in a log: the record after them is read.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHead } from '../../src/ingest/detect.js';
import { fixture, ingestFile } from '../helpers/ingest.js';

const dir = mkdtempSync(join(tmpdir(), 'af-cut-start-'));

const CASES = [
  { name: 'CloudTrail', path: fixture('aws-cloudtrail', 'crowdsec-aws-cloudtrail-postexploit.jsonl') },
  { name: 'Cloud Firewall', path: fixture('alibaba-cloudfirewall', 'sls-traffic-log.jsonl') },
  { name: 'Suricata EVE', path: fixture('suricata-eve', 'crowdsec-suricata-evelog.json') },
];

/** The file with its first line changed by `cut`. */
function withFirstLine(path: string, name: string, cut: (line: string) => string): string {
  const [first, ...rest] = readFileSync(path, 'utf8').split('\n');
  const out = join(dir, `${name}-${path.split('/').pop()}`);
  writeFileSync(out, [cut(first!), ...rest].join('\n'));
  return out;
}

describe('JSON lines whose first record is cut', () => {
  for (const { name, path } of CASES) {
    for (const [how, cut] of [['cut short', (l: string) => l.slice(0, l.length >> 1)], ['entered in the middle', (l: string) => l.slice(l.length >> 1)]] as const) {
      it(`${name}, its first line ${how}: recognized, the line skipped and named, the rest read`, async () => {
        const whole = await ingestFile(path);
        const damaged = await ingestFile(withFirstLine(path, how.replace(/ /g, '-'), cut));
        expect(damaged.format).toBe(whole.format);
        expect(damaged.container).toBe('jsonl');
        expect(damaged.issues.map((i) => i.line)).toEqual([1]);
        expect(damaged.issues[0]!.message).toMatch(/^not valid JSON/);
        // Every record after the first, as the intact file gives them.
        const after = whole.events.filter((e) => (e.ref.line ?? 0) > 1);
        expect(after.length).toBeGreaterThan(0);
        expect(damaged.events).toEqual(after.map((e) => ({ ...e, ref: { ...e.ref, path: damaged.events[0]!.ref.path } })));
      });
    }
  }

  it('still takes pretty-printed documents for documents', () => {
    const head = (text: string) => buildHead(Buffer.from(text), true).container;
    expect(head('{\n  "Records": [\n    {"eventTime": "2024-01-01T00:00:00Z"},\n    {"eventTime": "2024-01-01T00:00:01Z"}\n  ]\n}\n')).toBe('json');
    expect(head('[\n{"a": 1},\n{"a": 2},\n{"a": 3}\n]\n')).toBe('json');
    expect(head('{"a": 1, "b":\n  {"c": 2}\n}\n')).toBe('json');
    // One object a line after a broken first one: JSON lines, also with a blank or odd line among them.
    expect(head('{"a": 1, "b"\n{"a": 2}\n\n{"a": 3}\n')).toBe('jsonl');
    expect(head('3}\n{"a": 2}\n{"a": 3}\nnot json\n{"a": 4}\n')).toBe('jsonl');
    // A single object line after it is not enough to tell.
    expect(head('{"a": 1, "b"\n{"a": 2}\n')).toBe('json');
    expect(head('Mar  2 10:00:00 host kernel: x\n{"a": 2}\nMar  2 10:00:01 host kernel: y\n')).toBe('lines');
  });
});

describe('lines that begin with NUL bytes', () => {
  const record = (s: number) => `Mar  2 10:00:0${s} host-a kernel: [1.0] DROP: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 LEN=60 PROTO=TCP SPT=4000${s} DPT=22`;

  it('reads the record a crash wrote after a hole of NULs, and says so', async () => {
    const path = join(dir, 'kern-hole.log');
    writeFileSync(path, `${record(0)}\n${'\0'.repeat(4096)}${record(5)}\n${'\0'.repeat(10)}\n${record(7)}\n`);
    const r = await ingestFile(path, { year: 2026 });
    expect(r.format).toBe('iptables');
    expect(r.events.map((e) => [e.ref.line, e.src?.port])).toEqual([[1, 40000], [2, 40005], [4, 40007]]);
    // A line of NULs alone is still a bad record, named where it is.
    expect(r.issues.map((i) => i.line)).toEqual([3]);
    expect(r.notes.some((n) => n.startsWith('some lines began with NUL bytes'))).toBe(true);
  });

  it('reads the record written after a hole that cut another short, and names the cut one', async () => {
    const path = join(dir, 'kern-cut.log');
    const cut = record(1).slice(0, 58);
    writeFileSync(path, `${record(0)}\n${cut}${'\0'.repeat(12)}${record(5)}\n${record(7).replace('DROP:', 'DROP\0:')}\n${cut}${'\0'.repeat(9)}\r\n`);
    const r = await ingestFile(path, { year: 2026 });
    // Line 3's single NUL is part of its record; line 4's hole has nothing after it (a bad record).
    expect(r.events.map((e) => [e.ref.line, e.src?.port])).toEqual([[1, 40000], [2, 40005], [3, 40007]]);
    expect(r.issues.map((i) => i.line)).toEqual([2, 4]);
    expect(r.issues[0]!.message).toBe(`a record cut short by a hole of NUL bytes (a crash while it was written): the line's first ${58 + 12} bytes were skipped and the record after the hole read`);
    // Seven NULs are no hole: the line is one (bad) record.
    const seven = join(dir, 'kern-seven.log');
    writeFileSync(seven, `${record(0)}\n${cut}${'\0'.repeat(7)}${record(5)}\n`);
    const r7 = await ingestFile(seven, { year: 2026 });
    expect(r7.events.map((e) => e.ref.line)).toEqual([1]);
    expect(r7.issues.map((i) => i.line)).toEqual([2]);
  });

  it('detects JSON lines whose first record follows a hole that cut another', async () => {
    const path = withFirstLine(CASES[0]!.path, 'hole-start', (l) => `${l.slice(0, 40)}${'\0'.repeat(16)}${l}`);
    const r = await ingestFile(path);
    expect(r.format).toBe('aws-cloudtrail');
    expect(r.issues.map((i) => i.line)).toEqual([1]);
    expect(r.events.length).toBe((await ingestFile(CASES[0]!.path)).events.length);
  });

  it('detects JSON lines whose first line follows a hole', async () => {
    const path = withFirstLine(CASES[0]!.path, 'nul-start', (l) => `\0\0\0${l}`);
    const r = await ingestFile(path);
    expect(r.format).toBe('aws-cloudtrail');
    expect(r.issues).toEqual([]);
    expect(r.events.length).toBe((await ingestFile(CASES[0]!.path)).events.length);
  });
});
