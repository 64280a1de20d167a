// Worker thread entry: scans whole inputs sent by the main thread and posts back their ScanResult.
// It loads the same rule files itself (rule objects cannot cross threads) and caches them.
import { parentPort } from 'node:worker_threads';
import type { Head } from './ingest/format.js';
import { detectInput, type DetectedInput, type ReadSettings } from './ingest/ingest.js';
import { formatByName } from './ingest/registry.js';
import { UserError } from './model/errors.js';
import { loadRuleSet, type RuleSet } from './rules/load.js';
import { scanInput, type ScanMark } from './scan.js';

export interface ScanTask {
  id: number;
  path: string;
  format: string;
  rulePaths: string[];
  read: ReadSettings;
  manualOffsetMs: number;
  strict: boolean;
  /** a slice of the file (line numbers then count from the slice's first line) */
  range?: { start: number; end: number };
  /** the file's size when listed (sizes the read buffers) */
  size?: number;
  /**
   * A whole file's detection by the main thread, without its probe head (withoutProbeHead): the
   * worker need not read the file's head again (a slice is detected here, from its own head).
   */
  head?: Head;
  /** marked records past `keep` go to a file in `folder` (ScanOptions.spill) */
  spill?: { folder: string; keep: number };
}

export type ScanReply =
  | { id: number; ok: true; result: Awaited<ReturnType<typeof scanInput>> }
  /** marks found so far, sent while the scan goes on (cloning them all at the end kept the main thread waiting) */
  | { id: number; marks: { findings: ScanMark[]; correlationMatches: ScanMark[] } }
  | { id: number; ok: false; error: { name: string; message: string; path?: string; line?: number; stack?: string } };

let cached: { key: string; set: Promise<RuleSet> } | undefined;

function rulesFor(rulePaths: string[]): Promise<RuleSet> {
  const key = rulePaths.join('\0');
  if (cached?.key !== key) cached = { key, set: loadRuleSet(rulePaths) };
  return cached.set;
}

async function run(task: ScanTask): Promise<ScanReply> {
  try {
    const ruleSet = await rulesFor(task.rulePaths);
    const format = formatByName(task.format);
    if (!format) throw new Error(`unknown format ${task.format}`);
    const source = { path: task.path, isStdin: false, ...(task.range ? { range: task.range } : {}), ...(task.size !== undefined ? { size: task.size } : {}) };
    const detected: DetectedInput = task.head && !task.range ? { source, format, head: task.head, scores: [] } : { ...(await detectInput(source, task.read)), format };
    const result = await scanInput(detected, format, { rules: ruleSet.rules, correlationInputs: ruleSet.correlationInputs, hasCorrelations: ruleSet.correlations.length > 0 },
      {
        read: task.read, manualOffsetMs: task.manualOffsetMs, strict: task.strict, keepEvents: false, ...(task.spill ? { spill: task.spill } : {}),
        onMarks: (findings, correlationMatches) => parentPort!.postMessage({ id: task.id, marks: { findings, correlationMatches } } satisfies ScanReply),
      });
    return { id: task.id, ok: true, result };
  } catch (err) {
    const e = err as Error & { path?: string; line?: number };
    const user = err instanceof UserError;
    return { id: task.id, ok: false, error: { name: user ? e.name : 'Error', message: e.message, path: user ? e.path : undefined, line: user ? e.line : undefined, stack: user ? undefined : e.stack } };
  }
}

/** Sent once when the pool starts: load the rules while the main thread reads the transcripts. */
export interface ScanWarmUp {
  warmUp: string[];
}

parentPort?.on('message', (message: ScanTask | ScanWarmUp) => {
  if ('warmUp' in message) {
    // A bad rule file fails again, with its message, on the first real task.
    rulesFor(message.warmUp).catch(() => (cached = undefined));
    return;
  }
  void run(message).then((reply) => parentPort!.postMessage(reply));
});
