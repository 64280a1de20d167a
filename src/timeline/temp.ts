// Private temporary folders for data that does not fit in memory (sorted runs, spilled violations):
// only this user can read them, and they go when the run ends, however it ends (the CLI turns
// Ctrl-C and SIGTERM into an exit, so a multi-gigabyte spill is not left behind). A run the kernel
// kills (out of memory, SIGKILL) cannot clean up: its folders name the host and process, and the
// next run on the host removes those of processes that are gone.
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';

export interface TempFolder {
  path: string;
  remove(): void;
}

const open = new Set<string>();
let hooked = false;
let swept = false;

/** A new folder under $TMPDIR (or the system's), removed by remove() or at exit. */
export function privateTempFolder(prefix: string): TempFolder {
  const base = tmpdir();
  if (!swept) {
    swept = true;
    removeOrphans(base);
  }
  let path: string;
  try {
    path = mkdtempSync(join(base, `agent-forensics-${prefix}-${ownerTag()}-`));
  } catch (err) {
    throw tempError('cannot create a temporary folder', err, base);
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

/** `<host>.<pid>`: this process, as its folders' names give it (the host name's dots and other signs made `_`). */
function ownerTag(): string {
  return `${safeHost()}.${process.pid}`;
}

function safeHost(): string {
  return hostname().replace(/[^A-Za-z0-9-]/g, '_').slice(0, 64) || 'host';
}

const ORPHAN = /^agent-forensics-[a-z]+-([A-Za-z0-9_-]+)\.(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the folders in `base` that runs of this tool on this host left behind: this user's, named
 * for a process that no longer exists. Folders of live processes, of other hosts sharing the folder,
 * of other users, and any other name are left alone; a folder that cannot be read or removed is skipped.
 * Returns the paths removed.
 */
export function removeOrphans(base: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  const host = safeHost();
  const uid = process.getuid?.();
  for (const name of names) {
    const m = ORPHAN.exec(name);
    if (!m || m[1] !== host || isAlive(Number(m[2]))) continue;
    const path = join(base, name);
    try {
      // lstat: a link named like a folder of ours (planted in a shared /tmp) is neither followed nor removed.
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove: nothing to do
    }
  }
  return removed;
}

/** Whether a process with this id exists (one of another user counts: it may be a run of theirs). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A failed write or creation in the temporary folder as the one line a user can act on. */
export function tempError(what: string, err: unknown, path: string): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new InputError(`${what} (${code}): set TMPDIR to a writable folder with room for the spilled data`, path);
}
