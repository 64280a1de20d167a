// Private temporary folders for data that does not fit in memory (sorted runs, spilled violations):
// only this user can read them, and they go when the run ends, however it ends (the CLI turns
// Ctrl-C and SIGTERM into an exit, so a multi-gigabyte spill is not left behind).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';

export interface TempFolder {
  path: string;
  remove(): void;
}

const open = new Set<string>();
let hooked = false;

/** A new folder under $TMPDIR (or the system's), removed by remove() or at exit. */
export function privateTempFolder(prefix: string): TempFolder {
  let path: string;
  try {
    path = mkdtempSync(join(tmpdir(), `agent-forensics-${prefix}-`));
  } catch (err) {
    throw tempError('cannot create a temporary folder', err, tmpdir());
  }
  open.add(path);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => [...open].forEach(removeNow));
  }
  return { path, remove: () => removeNow(path) };
}

function removeNow(path: string): void {
  open.delete(path);
  rmSync(path, { recursive: true, force: true });
}

/** A failed write or creation in the temporary folder as the one line a user can act on. */
export function tempError(what: string, err: unknown, path: string): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new InputError(`${what} (${code}): set TMPDIR to a writable folder with room for the spilled data`, path);
}
