#!/usr/bin/env node
// Launcher: the CLI lives in the compiled dist/ (built by `npm install` through the prepare script).
import { setFlagsFromString } from 'node:v8';
// V8 starts allocating an object literal straight in the old generation once enough objects from
// it have outlived young collections. Here the early phases keep their records and the later ones
// build a million short-lived violations: pretenured, those pile up as old garbage until a full
// collection (a flood of 168k violations peaked at 1.3 GB instead of about 0.6 GB). Set before any
// allocation of note; workers share the process's V8 flags.
setFlagsFromString('--no-allocation-site-pretenuring');
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`agent-forensics: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exit(70);
});
