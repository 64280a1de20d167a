// `npm run bench`: generates evidence folders of two sizes under bench/out/, runs the built CLI's
// `correlate` on each, and compares its throughput and peak memory with a floor script on the same files.
// With @duckdb/node-api installed (npm install --no-save), it also times bench/duckdb.mjs: a DuckDB load and window join.
// Usage: node bench/run.mjs [--sizes 300MB,900MB | --size 200MB] [--runs N] [--env K=V]... [--cpu-prof] [--cli <launcher>] [--against <launcher>] [--rules <dir>]
// --against runs a second build alternately with the first (this VM's speed drifts by tens of percent
// within minutes: only alternating runs compare), prints the medians of both and whether the reports are the same bytes.
// A size written flood:250MB uses the flood profile: one kern.log under a port scan, every record a violation;
// traces:150MB the RL-training profile: transcripts of many episodes (four fifths of the bytes) beside the logs;
// miner:150MB the traces profile plus a sandbox miner reconnecting to a pool every 30 s for the two days.
// A gz: prefix (gz:900MB, gz:traces:450MB) runs a gzipped copy of that folder (every file, gzip -6 as
// logrotate writes them); MB/s are then of the content, which the floor gunzips too.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { GENERATOR_VERSION, generate, generateFlood, generateMiner, generateTraces } from './generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
let CLI = join(ROOT, 'bin', 'agent-forensics.js');
const TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write('usage: node bench/run.mjs [--sizes 300MB,900MB,flood:250MB,traces:150MB,gz:900MB | --size 200MB] [--runs N] [--env K=V]... [--cpu-prof] [--keep] [--no-duckdb] [--cli bin/agent-forensics.js] [--against other/bin/agent-forensics.js] [--rules dir]\n');
  process.exit(2);
}

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) usage(`not a size: '${text}'`);
  const unit = (m[2] ?? 'MB').toUpperCase();
  const mult = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 }[unit];
  return Math.round(Number(m[1]) * mult);
}

function parseArgs(argv) {
  const opts = { sizes: ['300MB', '900MB'], runs: 1, env: {}, cpuProf: false, keep: false, rules: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--sizes') opts.sizes = next().split(',');
    else if (a === '--size') opts.sizes = [next()];
    else if (a === '--runs') opts.runs = Math.max(1, Number(next()) || 1);
    else if (a === '--env') {
      const [k, ...v] = next().split('=');
      opts.env[k] = v.join('=');
    } else if (a === '--cpu-prof') opts.cpuProf = true;
    else if (a === '--cli') CLI = next();
    else if (a === '--against') opts.against = next();
    else if (a === '--rules') opts.rules = next();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-duckdb') opts.noDuckdb = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument '${a}'`);
  }
  return opts;
}

const GENERATORS = { ordinary: generate, flood: generateFlood, traces: generateTraces, miner: generateMiner };

/** The gzipped copy of a profile's folder (every file, level 6), cached beside it. */
function ensureGzipped(label, bytes, profile) {
  const plain = ensureData(label, bytes, profile);
  const dir = join(OUT, `gz-${label}`);
  const stamp = join(dir, '.generated.json');
  if (existsSync(stamp) && JSON.parse(readFileSync(stamp, 'utf8')).of === readFileSync(join(plain.dir, '.generated.json'), 'utf8')) {
    return { dir, files: JSON.parse(readFileSync(stamp, 'utf8')).files };
  }
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  process.stderr.write(`gzipping ${label} into ${dir} ...`);
  const files = plain.files.map((f) => {
    const path = join(dir, relative(plain.dir, f.path)) + '.gz';
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(readFileSync(f.path), { level: 6 }));
    return { ...f, path };
  });
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  writeFileSync(stamp, JSON.stringify({ of: readFileSync(join(plain.dir, '.generated.json'), 'utf8'), files }));
  return { dir, files };
}

/** A cached folder is reused when it was written by this generator version for this size and profile. */
function ensureData(label, bytes, profile) {
  const dir = join(OUT, label);
  const stamp = join(dir, '.generated.json');
  if (existsSync(stamp)) {
    const s = JSON.parse(readFileSync(stamp, 'utf8'));
    if (s.version === GENERATOR_VERSION && s.requested === bytes && (s.profile ?? (s.flood ? 'flood' : 'ordinary')) === profile) return { dir, files: s.files };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  process.stderr.write(`generating ${label} in ${dir} ...`);
  const files = GENERATORS[profile](join(dir, 'evidence'), bytes);
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  writeFileSync(stamp, JSON.stringify({ version: GENERATOR_VERSION, requested: bytes, profile, files }));
  return { dir, files };
}

/** Runs a command, returning wall time and the child's peak RSS (time -f %M, else /proc polling). */
function measure(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const memFile = join(OUT, `.maxrss-${process.pid}`);
    const [bin, argv] = TIME ? [TIME, ['-f', '%M %U %S', '-o', memFile, cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const child = spawn(bin, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', peakKb = 0, cpuS = NaN;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = TIME ? undefined : setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+)/.exec(status) ?? /VmRSS:\s+(\d+)/.exec(status);
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch { /* the child has exited */ }
    }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (poll) clearInterval(poll);
      if (TIME && existsSync(memFile)) {
        const lines = readFileSync(memFile, 'utf8').trim().split('\n');
        const [kb, user, sys] = (lines.at(-1) ?? '').split(' ').map(Number);
        peakKb = kb || 0;
        cpuS = user + sys;
        rmSync(memFile, { force: true });
      }
      if (code !== 0 && code !== 1) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ ms, cpuS, peakMb: peakKb / 1024, stdout, stderr });
    });
  });
}

/**
 * The report's parts around its violations (a report of a million violations is longer than a
 * string may be): the head up to "violations" and the tail from "incidents", each parsed alone.
 */
function reportWithoutViolations(path) {
  const size = statSync(path).size;
  const read = (start, length) => {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, start);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  };
  const head = read(0, Math.min(size, 1 << 20));
  const v = head.indexOf('\n  "violations": ');
  for (let tailBytes = 1 << 24; ; tailBytes *= 2) {
    const tail = read(Math.max(0, size - tailBytes), Math.min(size, tailBytes));
    const i = tail.lastIndexOf('\n  "incidents": ');
    if (i >= 0) return { ...JSON.parse(head.slice(0, v).replace(/,\s*$/, '') + '\n}'), ...JSON.parse(`{${tail.slice(i)}`) };
    if (tailBytes >= size) throw new Error(`${path}: no incidents in the report`);
  }
}

const best = (runs) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

async function benchOne(label, bytes, profile, opts, gzipped) {
  const { dir, files } = gzipped ? ensureGzipped(label, bytes, profile) : ensureData(label, bytes, profile);
  const evidence = join(dir, 'evidence');
  const paths = files.map((f) => f.path);
  // MB/s of what is read: a gzipped folder's content, as the generator wrote it
  const inputBytes = files.reduce((n, f) => n + (gzipped ? f.bytes : statSync(f.path).size), 0);
  const report = join(dir, 'report.json');
  const floors = [], runs = [], duck = [], againstRuns = [];
  const againstReport = join(dir, 'report-against.json');
  for (let i = 0; i < opts.runs; i++) {
    if (opts.duckdb) duck.push(await measure(process.execPath, [join(ROOT, 'bench', 'duckdb.mjs'), evidence, ...(gzipped ? ['--gz'] : [])]));
    const f = await measure(process.execPath, [join(ROOT, 'bench', 'floor.mjs'), ...paths]);
    floors.push({ ...f, ...JSON.parse(f.stdout) });
    const profArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`] : [];
    const correlate = (cli, out) => measure(process.execPath, [...profArgs, cli, 'correlate', evidence, '--format', 'json', '-o', out, '-q', '--no-progress', ...(opts.rules ? [`--rules=${opts.rules}`] : [])], opts.env);
    // With --against, the two builds take turns going first.
    if (opts.against && i % 2 === 1) againstRuns.push(await correlate(opts.against, againstReport));
    runs.push(await correlate(CLI, report));
    if (opts.against && i % 2 === 0) againstRuns.push(await correlate(opts.against, againstReport));
  }
  const floor = best(floors), run = best(runs);
  const r = reportWithoutViolations(report);
  const against = opts.against ? { ...medians(againstRuns), mine: medians(runs), sameReport: sha256Of(report) === sha256Of(againstReport) } : undefined;
  if (!opts.keep) rmSync(report, { force: true });
  rmSync(againstReport, { force: true });
  const floorMs = floor.ms;
  return {
    label: gzipped ? `gz-${label}` : label, inputMb: inputBytes / 1e6, files: files.length, records: r.stats.events, lines: floor.lines,
    violations: r.stats.violations, attributed: r.stats.attributed, incidents: r.incidents.length, skipped: r.inputs.reduce((n, i) => n + i.skipped, 0),
    floorS: floorMs / 1000, floorMbS: inputBytes / 1e6 / (floorMs / 1000), floorPeakMb: floor.peakMb,
    correlateS: run.ms / 1000, mbS: inputBytes / 1e6 / (run.ms / 1000), recordsS: r.stats.events / (run.ms / 1000),
    ratio: floorMs / run.ms, peakMb: run.peakMb, cpuS: run.cpuS, floorCpuS: floor.cpuS,
    ...(duck.length ? { duckdbS: best(duck).ms / 1000, duckdbPeakMb: best(duck).peakMb } : {}),
    ...(against ? { against } : {}),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Median wall time, CPU time and peak memory of a list of runs. */
function medians(list) {
  return { s: median(list.map((x) => x.ms)) / 1000, cpuS: median(list.map((x) => x.cpuS)), peakMb: median(list.map((x) => x.peakMb)) };
}

function sha256Of(path) {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function table(rows) {
  const cols = [
    ['size', (r) => r.label], ['input MB', (r) => r.inputMb.toFixed(0)], ['records', (r) => r.records.toLocaleString('en-US')],
    ['viol/attr/inc', (r) => `${r.violations}/${r.attributed}/${r.incidents}`],
    ['floor s', (r) => r.floorS.toFixed(2)], ['floor MB/s', (r) => r.floorMbS.toFixed(0)],
    ['correlate s', (r) => r.correlateS.toFixed(2)], ['MB/s', (r) => r.mbS.toFixed(0)], ['records/s', (r) => Math.round(r.recordsS).toLocaleString('en-US')],
    ['× floor', (r) => r.ratio.toFixed(2)], ['CPU s', (r) => `${r.cpuS.toFixed(1)} (floor ${r.floorCpuS.toFixed(1)})`], ['peak RSS MB', (r) => r.peakMb.toFixed(0)],
    ...(rows.some((r) => r.duckdbS !== undefined) ? [['DuckDB s (RSS MB)', (r) => `${r.duckdbS.toFixed(2)} (${r.duckdbPeakMb.toFixed(0)})`]] : []),
  ];
  const cells = [cols.map((c) => c[0]), ...rows.map((r) => cols.map((c) => c[1](r)))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row, j) => {
    const line = row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  // The DuckDB comparison runs when its package is installed (it is not a dependency of the project).
  opts.duckdb = !opts.noDuckdb && (await import('@duckdb/node-api').then(() => true, () => false));
  if (!opts.duckdb && !opts.noDuckdb) process.stderr.write('DuckDB comparison skipped: npm install --no-save @duckdb/node-api to run it\n');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) usage('build first: npx tsc -p tsconfig.json');
  mkdirSync(OUT, { recursive: true });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
  process.stderr.write(`machine: ${machine}; CLI ${CLI}\n`);
  const rows = [];
  for (const s of opts.sizes) {
    const [, gz, named, size] = /^(gz:)?(?:(flood|traces|miner):)?(.*)$/.exec(s.trim());
    const profile = named ?? 'ordinary';
    rows.push(await benchOne(named ? `${named}-${size}` : size, parseSize(size), profile, opts, gz !== undefined));
    process.stderr.write(`done ${s}\n`);
  }
  process.stdout.write(`${table(rows)}\n`);
  const plain = rows.filter((r) => !/^(gz-|flood|traces|miner)/.test(r.label));
  if (plain.length >= 2) {
    const [a, b] = [plain[0], plain.at(-1)];
    process.stdout.write(`peak memory: ${a.peakMb.toFixed(0)} MB → ${b.peakMb.toFixed(0)} MB for ${(b.inputMb / a.inputMb).toFixed(1)}× the input (${(((b.peakMb / a.peakMb) - 1) * 100).toFixed(0)} %)\n`);
  }
  for (const r of rows.filter((row) => row.against)) {
    const { mine, ...other } = r.against;
    const line = (x) => `${x.s.toFixed(2)} s, CPU ${x.cpuS.toFixed(1)} s, ${x.peakMb.toFixed(0)} MB`;
    process.stdout.write(`${r.label}: ${CLI} ${line(mine)}; ${opts.against} ${line(other)} (medians of ${opts.runs}); time ratio ${(mine.s / other.s).toFixed(2)}; ${other.sameReport ? 'same report' : 'REPORTS DIFFER'}\n`);
  }
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ machine, env: opts.env, rows }, null, 2));
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});
