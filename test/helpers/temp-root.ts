// Vitest global setup: every temporary folder the tests (and the CLIs they start) create goes under
// one folder for the run, removed when the run ends, so repeated runs do not fill the machine's /tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'af-test-run-'));
  // Like /tmp itself: the hostile-corpus test runs the CLI as an unprivileged user under it.
  chmodSync(root, 0o1777);
  // os.tmpdir() reads TMPDIR on every call; test workers and child processes inherit it.
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
