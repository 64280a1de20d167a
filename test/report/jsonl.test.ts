import { describe, expect, it } from 'vitest';
import { jsonlRenderer } from '../../src/report/jsonl.js';
import { hostileReport, sampleReport } from '../helpers/report.js';

const render = (r = sampleReport()) => jsonlRenderer.render(r, { color: false });

describe('jsonl renderer', () => {
  it('render() writes exactly one violation object per line, equal to report.violations', async () => {
    const report = sampleReport();
    const out = await render(report);
    expect(out.endsWith('\n')).toBe(true);
    const lines = out.slice(0, -1).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l))).toEqual(report.violations);
    expect(lines[0]!.startsWith('{"id":"V1","time":"2024-05-01T10:00:01.250Z"')).toBe(true);
    expect(lines[2]).toContain('"ref":{"path":"logs/cloud/trail.json","index":3}');
  });

  it('render() writes nothing for a report without violations', async () => {
    const report = sampleReport();
    report.violations = [];
    expect(await render(report)).toBe('');
  });

  it('render() keeps hostile text as data: no raw control bytes, no extra lines, exact round trip', async () => {
    const report = hostileReport();
    const out = await render(report);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(out)).toBe(false);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l))).toEqual(report.violations);
  });
});
