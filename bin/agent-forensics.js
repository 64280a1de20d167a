#!/usr/bin/env node
// Launcher: the CLI lives in the compiled dist/ (built by `npm install` through the prepare script).
import { spawn } from 'node:child_process';
import { constants, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
// V8 starts allocating an object literal straight in the old generation once enough objects from
// it have outlived young collections. Here the early phases keep their records and the later ones
// build a million short-lived violations: pretenured, those pile up as old garbage until a full
// collection (a flood of 168k violations peaked at 1.3 GB instead of about 0.6 GB). Set before any
// allocation of note; workers share the process's V8 flags.
setFlagsFromString('--no-allocation-site-pretenuring');
// After a full collection V8 lets the heap grow to up to four times what survived before the next
// one. Here what survives is small (10–60 MB while logs are read, 150–175 MB while the violations
// of 424 MB of RL traces read the tool calls of the last hours) and a full collection takes
// milliseconds, but calls and marked records live long enough to die in the old generation: the
// peak was mostly garbage (traces 424 MB: 0.68–0.83 GB). Twice what survives: 0.45–0.46 GB in the
// same time, 2.57 GB of logs 333–352 → 292–295 MB, floods 4–7 % slower for 10 % less.
// (Holding the heap to a fifth above what is live, an earlier choice, cost a full collection each
// time a growing live set rose by a fifth: 28 % of the time of 143 MB of RL traces.)
setFlagsFromString('--heap-growing-percent=100');

const args = process.argv.slice(2);

function runHere() {
  import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
    process.stderr.write(`agent-forensics: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exit(70);
  });
}

/**
 * Runs the same command in a child Node whose heap may grow to `heapMb` (Node's own limit is about
 * 4 GB whatever the machine has; see dist/cli/heap.js). Standard streams are shared, signals are
 * passed on, and the child's exit code is this process's.
 */
function runInChild(heapMb) {
  const child = spawn(process.execPath, [...process.execArgv, `--max-old-space-size=${heapMb}`, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  child.once('spawn', () => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      });
    }
  });
  child.on('error', () => {
    // No second process could be started (process or memory limits): run here, with Node's heap.
    if (child.pid === undefined) runHere();
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      const hint = signal === 'SIGKILL' ? ' (by the system: it may have run out of memory)'
        : signal === 'SIGABRT' ? ' (Node aborts so when its heap is full: AGENT_FORENSICS_HEAP_MB sets it, in MiB)' : '';
      process.stderr.write(`agent-forensics: the analysis was stopped by ${signal}${hint}\n`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    process.exit(code ?? 70);
  });
}

let heapMb;
try {
  const { availableMemory, heapToRestartWith } = await import('../dist/cli/heap.js');
  const totalMemoryBytes = availableMemory(totalmem(), process.constrainedMemory?.());
  heapMb = heapToRestartWith({ args, execArgv: process.execArgv, env: process.env, totalMemoryBytes, heapLimitBytes: getHeapStatistics().heap_size_limit });
} catch (err) {
  process.stderr.write(`agent-forensics: ${err && err.message ? err.message : err}\n`);
  process.exit(2);
}
if (heapMb === undefined) runHere();
else runInChild(heapMb);
