// Test helper for the hostile suite: runs the BUILT CLI (what users run), builds dist/ first when it is
// missing or older than src/, and generates the hostile corpus with the script users can run too.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'agent-forensics.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a lone `vitest run` of this folder builds here when dist/ is stale. */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 && !existsSync(main)) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** One CLI run; a hang fails the test through the timeout instead of stalling the suite. */
export function cli(args: string[], options: SpawnSyncOptions & { timeoutMs?: number } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: 256 * 1024 * 1024,
    ...options,
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...(options.env ?? {}) },
  });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' };
}

/** No crash: a bug prints "internal error" and a stack; a hang is a timeout. */
export function assertNoCrash(r: Run): void {
  if (r.timedOut) throw new Error('the CLI hung (timeout)');
  if (/internal error|\n\s+at .+:\d+:\d+/.test(r.stderr) || r.status === 70) throw new Error(`the CLI crashed (exit ${r.status}):\n${r.stderr.slice(0, 2000)}`);
}

export interface CorpusFile {
  records?: number;
  skipped?: number[];
  format?: string;
  message?: { re: string };
  readError?: { re: string };
  note?: { re: string };
  lines?: number[];
}

export interface CorpusCase {
  name: string;
  what: string;
  files: Record<string, CorpusFile>;
  violations?: number;
  violationLines?: number[];
  inert?: boolean;
  slow?: boolean;
  strictExit?: number;
  problems?: string[];
  locked?: string;
  redosMatches?: number;
  rules?: Record<string, string>;
}

export interface Corpus {
  dir: string;
  bigLineMb: number;
  cases: CorpusCase[];
}

/** Generates the corpus in a fresh temp folder that an unprivileged user can enter too. */
export function makeCorpus(bigLineMb: number): Corpus {
  const dir = mkdtempSync(join(tmpdir(), 'af-hostile-'));
  chmodSync(dir, 0o755);
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'make-hostile-corpus.mjs'), dir, '--big-line-mb', String(bigLineMb)], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`corpus generation failed:\n${r.stderr}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { bigLineMb: number; cases: CorpusCase[] };
  return { dir, ...manifest };
}

/** C0 controls other than LF, DEL, and C1 controls: what a terminal would act on. */
export const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** A CSV parser good enough for checking cell starts (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r' || text[i + 1] !== '\n') cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** A cell a spreadsheet would run: =, +, @, tab, CR, full-width forms, or - not followed by a number. */
export const isFormulaCell = (cell: string): boolean => /^[=+@\t\r\n\uff1d\uff0b\uff0d\uff20]/.test(cell) || /^-[^\d.]/.test(cell);
