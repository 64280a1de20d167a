// Ingest-only timing for profiling the parsers and rule matching without attribution:
// node bench/ingest.mjs <file...> [--no-rules] [--rules=<dir>]  → per file: records, ms, MB/s.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { detectInput, parseInput } = await import(join(ROOT, 'dist', 'ingest', 'ingest.js'));
const { loadRuleSet } = await import(join(ROOT, 'dist', 'rules', 'load.js'));
const { matchingRules } = await import(join(ROOT, 'dist', 'rules', 'match.js'));

const args = process.argv.slice(2);
const noRules = args.includes('--no-rules');
const files = args.filter((a) => !a.startsWith('--'));
const rulesArg = args.find((a) => a.startsWith('--rules='));
const ruleSet = noRules ? undefined : await loadRuleSet([rulesArg ? rulesArg.slice(8) : join(ROOT, 'rules')]);
const settings = { tz: 'UTC', referenceMs: Date.UTC(2026, 2, 4) };
for (const path of files) {
  const t0 = performance.now();
  const detected = await detectInput({ path, isStdin: false }, settings);
  const parsed = parseInput(detected, detected.format, settings);
  let n = 0, hits = 0;
  const take = (e) => {
    n++;
    if (ruleSet && e.kind !== 'tool-call' && matchingRules(ruleSet.rules, e).length) hits++;
  };
  if (parsed.each) await parsed.each(take);
  else for await (const e of parsed.events) take(e);
  await parsed.read;
  const ms = performance.now() - t0;
  const mb = statSync(path).size / 1e6;
  console.log(`${detected.format?.name ?? 'unknown'} ${path.split('/').pop()}: ${n} records, ${hits} hits, ${parsed.issues.length} issues, ${ms.toFixed(0)} ms, ${(mb / (ms / 1000)).toFixed(1)} MB/s`);
}
