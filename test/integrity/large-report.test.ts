// A report of millions of violations is longer than one string: verify reads such a report only up to
// its violations, which this tool writes after the inputs, and finds the same inputs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { beforeViolations, readReportInputs } from '../../src/integrity/verify.js';
import { InputError } from '../../src/model/errors.js';
import { sampleReport } from '../helpers/report.js';

describe('verify on reports too large to read whole', () => {
  it('reads the inputs from the start of the report, as a whole read does', async () => {
    const report = { ...sampleReport(), inputs: [{ path: 'logs/"violations"/kern.log', sha256: 'a'.repeat(64), bytes: 3, format: 'iptables', source: 'firewall', records: 1, skipped: 0, first: null, last: null, notes: ['"violations": [ { } ]'] }] };
    const path = join(mkdtempSync(join(tmpdir(), 'af-large-report-')), 'r.json');
    writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
    const whole = await readReportInputs(path);
    const head = await readReportInputs(path, { wholeBytes: 100, headBytes: 1 << 20 });
    expect(head).toEqual(whole);
    expect(head[0]!.path).toBe('logs/"violations"/kern.log');
  });

  it('stops at the top-level "violations" only, and says so when the inputs come after them', () => {
    const text = JSON.stringify({ schema: 's', inputs: [{ path: 'violations', note: { violations: 1 } }], violations: [{ id: 'V1' }], incidents: [] }, null, 2);
    expect(JSON.parse(beforeViolations(text, 'r.json'))).toEqual({ schema: 's', inputs: [{ path: 'violations', note: { violations: 1 } }] });
    const late = JSON.stringify({ schema: 's', violations: [], inputs: [] });
    expect(JSON.parse(beforeViolations(late, 'r.json'))).toEqual({ schema: 's' });
    expect(() => beforeViolations('{"schema": "s", "inputs": [', 'r.json')).toThrow(InputError);
  });
});
