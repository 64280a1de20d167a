// Golden reports: the built CLI on samples/ must give exactly the bytes in test/golden/. A change in
// parsing, rules, attribution or rendering shows up here as a diff to review; regenerate the files
// with `npm run golden` (test/helpers/update-golden.mjs) only when the change is intended.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, SAMPLES } from './built-cli.js';

// Keep in step with GOLDENS in test/helpers/update-golden.mjs.
const GOLDENS: [string, string[]][] = [
  ['samples.json', ['--format', 'json']],
  ['samples.md', ['--format', 'md']],
];

/** The first differing line, so a failure says where the report changed rather than dumping 100 kB. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  golden: ${a[i] ?? '(end of file)'}\n  now:    ${b[i] ?? '(end of file)'}`;
  }
  return 'no difference';
}

describe('golden reports of samples/', () => {
  beforeAll(() => ensureBuilt());

  it.each(GOLDENS)('%s matches the built CLI byte for byte (npm run golden regenerates it)', (name, flags) => {
    const golden = readFileSync(join(ROOT, 'test/golden', name));
    const r = runCli([...SAMPLES, ...flags]);
    expect(r.status).toBe(0);
    if (!r.stdout.equals(golden)) {
      expect.fail(`test/golden/${name} differs from the report now (run npm run golden if intended):\n${firstDifference(golden.toString('utf8'), r.stdout.toString('utf8'))}`);
    }
  });

  it('samples.json tells the samples story: the incidents the README promises', () => {
    const report = JSON.parse(readFileSync(join(ROOT, 'test/golden/samples.json'), 'utf8'));
    expect(report.schema).toBe('agent-forensics.report/v1');
    // paths are as given on the command line, so the golden does not depend on where the repo lives
    expect(report.inputs.every((i: { path: string }) => i.path.startsWith('samples/'))).toBe(true);
    expect(report.incidents.map((i: { callId: string }) => i.callId)).toEqual(
      expect.arrayContaining(['call_ep412_04', 'ep0415-t01', 'ep0416-t02', 'ep0415-t03']),
    );
  });
});
