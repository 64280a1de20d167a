#!/usr/bin/env node
// Launcher: the CLI lives in the compiled dist/ (built by `npm install` through the prepare script).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`agent-forensics: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exit(70);
});
