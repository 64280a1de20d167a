// One input scanned as the pipeline scans it, for the tests of scan options (batches, lean reading,
// detached records), and a netfilter log whose records the built-in rules mark.
import { join } from 'node:path';
import { detectInput } from '../../src/ingest/ingest.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { scanInput, type ScanOptions, type ScanResult } from '../../src/scan.js';

export const BUILTIN_RULES = join(import.meta.dirname, '..', '..', 'rules');
export const SCAN_SETTINGS = { tz: 'UTC', year: 2026 };

/** The scan of one file with these rules (the built-in ones by default), options as the pipeline's plus `extra`. */
export async function scanWithRules(path: string, extra: Partial<ScanOptions> = {}, rulePaths: string[] = [BUILTIN_RULES]): Promise<ScanResult> {
  const set = await loadRuleSet(rulePaths);
  const detected = await detectInput({ path, isStdin: false }, SCAN_SETTINGS);
  return scanInput(detected, detected.format!, { rules: set.rules, correlationInputs: set.correlationInputs, hasCorrelations: set.correlations.length > 0 },
    { read: SCAN_SETTINGS, manualOffsetMs: 0, strict: false, keepEvents: false, ...extra });
}

/**
 * Refused connections to internal addresses, each one a finding and a port-scan correlation match;
 * with `acceptEvery`, every such line is an accepted connection instead (marked by nothing).
 */
export function internalDrops(lines: number, acceptEvery = 0): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = `10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const verdict = acceptEvery > 0 && i % acceptEvery === 0 ? 'ACCEPT' : 'DROP';
    out.push(`Mar  2 ${t} gpu-node-07 kernel: [1.0] HOST ${verdict}: IN=eth0 OUT=eth0 MAC=02:42:ac:11:00:03 SRC=172.17.0.${i % 5} DST=10.20.3.17 LEN=60 PROTO=TCP SPT=40000 DPT=${1 + (i % 50)}`);
  }
  return out.join('\n') + '\n';
}
