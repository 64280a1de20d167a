#!/usr/bin/env node
// Regenerates the golden reports in test/golden/ from the built CLI on samples/ (`npm run golden`).
// Builds first, so the goldens always come from the current source. Review the diff before committing.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// The goldens and test/cli/golden.test.ts share this list: name, extra flags.
export const GOLDENS = [
  ['samples.json', ['--format', 'json']],
  ['samples.md', ['--format', 'md']],
];
const BASE = ['correlate', 'samples', '--inventory', 'samples/inventory.csv'];

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('update-golden: the build failed; fix it first');
  process.exit(1);
}
for (const [name, flags] of GOLDENS) {
  const r = spawnSync(process.execPath, [join(root, 'bin/agent-forensics.js'), ...BASE, ...flags], { cwd: root, maxBuffer: 256 << 20 });
  if (r.status !== 0) {
    console.error(`update-golden: ${name}: exit ${r.status}\n${r.stderr}`);
    process.exit(1);
  }
  writeFileSync(join(root, 'test/golden', name), r.stdout);
  console.log(`test/golden/${name}: ${r.stdout.length} bytes`);
}
