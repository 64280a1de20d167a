// Worker thread entry: scans whole inputs sent by the main thread and posts back their ScanResult.
// It compiles the rules the main thread loaded (rule objects cannot cross threads; their documents can).
import { parentPort } from 'node:worker_threads';
import type { Head } from './ingest/format.js';
import { detectInput, type DetectedInput, type ReadSettings } from './ingest/ingest.js';
import { formatByName } from './ingest/registry.js';
import { UserError } from './model/errors.js';
import { ruleSetFromPortable, type PortableRuleSet, type RuleSet } from './rules/load.js';
import { scanInput, type ScanMark } from './scan.js';

export interface ScanTask {
  id: number;
  path: string;
  format: string;
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

/** Sent once, before any task: the rules every scan of this worker applies. */
export interface ScanRulesMessage {
  rules: PortableRuleSet;
}

let ruleSet: RuleSet | undefined;

async function run(task: ScanTask): Promise<ScanReply> {
  try {
    if (!ruleSet) throw new Error('a scan task came before the rules');
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

parentPort?.on('message', (message: ScanTask | ScanRulesMessage) => {
  if ('rules' in message) {
    ruleSet = ruleSetFromPortable(message.rules);
    return;
  }
  void run(message).then((reply) => parentPort!.postMessage(reply));
});
