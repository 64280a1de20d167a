#!/usr/bin/env node
// Renders an agent-forensics HTML report to a PNG with headless Chromium, so a reviewer can look
// at it without a browser session. Offline: networking features are switched off and the page
// fetches nothing anyway.
//   node scripts/screenshot-html.mjs report.html [shot.png] [--width 1400] [--height 1000]
// The browser is $CHROMIUM, else the first of /usr/bin/chromium, chromium-browser, google-chrome.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage(message) {
  if (message) console.error(`screenshot-html: ${message}`);
  console.error('usage: node scripts/screenshot-html.mjs <report.html> [out.png] [--width N] [--height N]');
  process.exit(2);
}

const positional = [];
const size = { width: 1400, height: 1000 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--width' || a === '--height') {
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n < 200 || n > 20000) usage(`${a} needs a whole number of pixels`);
    size[a.slice(2)] = n;
  } else if (a === '-h' || a === '--help') usage();
  else positional.push(a);
}
if (positional.length < 1 || positional.length > 2) usage();
const input = resolve(positional[0]);
const output = resolve(positional[1] ?? input.replace(/\.html?$/i, '') + '.png');
if (!existsSync(input)) usage(`${input}: no such file`);

const browser = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .find((p) => p && existsSync(p));
if (!browser) usage('no Chromium found (set CHROMIUM=/path/to/chromium or apt-get install chromium)');

const profile = mkdtempSync(join(tmpdir(), 'af-shot-'));
try {
  const r = spawnSync(browser, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--hide-scrollbars', `--user-data-dir=${profile}`,
    `--window-size=${size.width},${size.height}`, `--screenshot=${output}`, pathToFileURL(input).href,
  ], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (!existsSync(output) || statSync(output).size === 0) {
    console.error(r.stderr);
    usage(`chromium exited ${r.status} without writing ${output}`);
  }
  console.log(`${output} (${statSync(output).size} bytes, ${size.width}x${size.height})`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
