// Where a report goes (stdout or -o file) and whether it may be coloured.
import { writeFile } from 'node:fs/promises';
import { InputError } from '../model/errors.js';

export function wantsColor(flags: { color?: boolean; output?: string }): boolean {
  if (flags.color === false || flags.output) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined) return process.env.FORCE_COLOR !== '0';
  return process.stdout.isTTY === true;
}

export async function writeOutput(text: string, output: string | undefined): Promise<void> {
  if (output) {
    try {
      await writeFile(output, text, 'utf8');
    } catch (err) {
      throw new InputError(`cannot write the report: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, output);
    }
    return;
  }
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** A progress line on stderr, only on a terminal and never with --quiet or --no-progress. */
export function progressReporter(flags: { quiet?: boolean; progress?: boolean }): ((done: number, total: number, path: string) => void) | undefined {
  if (flags.quiet || flags.progress === false || !process.stderr.isTTY || process.env.CI) return undefined;
  return (done, total, path) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const label = path.length > 50 ? '…' + path.slice(-49) : path;
    process.stderr.write(`\r\u001b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`);
    if (done === total) process.stderr.write('\r\u001b[2K');
  };
}
