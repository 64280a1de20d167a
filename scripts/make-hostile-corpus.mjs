#!/usr/bin/env node
// Writes the hostile-input corpus (issue 7) into a folder: one sub-folder per case, plus
// manifest.json saying what each case holds and what the tool must do with it (exact counts and lines).
// Usage: node scripts/make-hostile-corpus.mjs <dir> [--big-line-mb N]   (default 200; HOSTILE_BIG_LINE_MB too)
import { mkdirSync, openSync, writeSync, closeSync, writeFileSync, symlinkSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { deniedRule, networkRule } from '../test/helpers/rules.mjs';

/** Every attack on a display: terminal control (CSI, OSC title, C1 CSI, bell, backspace, CR), HTML, Markdown, formulas. */
export const TERMINAL = ['\u001b[31mRED\u001b[0m', '\u001b]0;pwned\u0007', '\u009b2J', '\u0008\u0008', '\rOVERWRITE', '\u001b[2J\u001b[H', '\u0000'];
export const MARKUP = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[click](http://evil.example/)', '![x](http://evil.example/x.png)', '`', '|', '# h'];
export const FORMULAS = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(1)'];

const T0 = Date.UTC(2026, 2, 2, 10, 14, 0);
const iso = (ms) => new Date(ms).toISOString();
const isoSyslog = (ms) => new Date(ms).toISOString().replace('Z', '+00:00');

/** One netfilter DROP line with an ISO syslog header (no year inference needed). */
export function iptablesLine(ms, { host = 'gpu-node-07', dst = '203.0.113.47', dpt = 3333, prefix = 'SBX-EGRESS DROP: ' } = {}) {
  return `${isoSyslog(ms)} ${host} kernel: [46450.600000] ${prefix}IN=docker0 OUT=eth0 SRC=172.17.0.3 DST=${dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=32923 DF PROTO=TCP SPT=51514 DPT=${dpt} WINDOW=64240 RES=0x00 SYN URGP=0`;
}

export function agentCall(i, startMs, fields = {}) {
  return JSON.stringify({
    v: 'agent-events/1', type: 'tool_call', session: 'ep-7', call_id: `call-${i}`, tool: 'bash',
    command: `curl -s http://203.0.113.47:3333/job-${i}`, start: iso(startMs), end: iso(startMs + 5000), host: 'gpu-node-07', sandbox: 'sb-04',
    ...fields,
  });
}

/** An Alibaba Cloud Firewall drop record whose domain is attacker text. */
export function cloudFirewallLine(sec, domain) {
  return JSON.stringify({
    __topic__: 'cloudfirewall_access_log', aliuid: '1234567890123456', __time__: String(sec), log_type: 'internet_log', ip_protocol: 'tcp',
    direction: 'out', start_time: String(sec), end_time: String(sec + 2), src_ip: '47.236.10.7', src_port: '52000', src_private_ip: '10.20.3.17',
    dst_ip: '198.51.100.23', dst_port: '3333', domain, app_name: 'Unknown', rule_result: 'drop',
  });
}

const lines = (arr) => arr.join('\n') + '\n';

export function makeHostileCorpus(dir, { bigLineMb = 200 } = {}) {
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const cases = [];
  const add = (name, spec) => {
    mkdirSync(join(dir, name), { recursive: true });
    cases.push({ name, ...spec });
  };
  const put = (name, file, content) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, file), content);
  };

  // 1. Terminal escapes and control characters in every string field a parser keeps.
  {
    const evil = TERMINAL.join(' ');
    const host = 'gpu\u001b[31m-node\u0007';
    put('escapes', 'agent.jsonl', lines([
      agentCall(1, T0 - 1000, { session: `ep-7 ${evil}`, call_id: `call-1 ${evil}`, tool: `bash ${evil}`, command: `curl -s http://203.0.113.47:3333/x ${evil}`, host, sandbox: `sb ${evil}`, cwd: evil, model: evil }),
    ]));
    put('escapes', 'kern.log', lines([iptablesLine(T0, { host, prefix: 'DROP\u001b[2J\u0007: ' })]));
    put('escapes', 'cloudfirewall.jsonl', lines([cloudFirewallLine(T0 / 1000 + 1, `pool\u001b]0;x\u0007.example${TERMINAL.join('')}`)]));
    add('escapes', {
      what: 'terminal escape and control sequences in every string field (session, call id, tool, command, host, sandbox, log prefix, domain)',
      files: { 'agent.jsonl': { records: 1, skipped: [] }, 'kern.log': { records: 1, skipped: [] }, 'cloudfirewall.jsonl': { records: 1, skipped: [] } },
      violations: 2, inert: true,
    });
  }

  // 2. HTML, Markdown and CSV formula text in commands and domains (each prefix at a cell start).
  {
    const calls = [...FORMULAS, ...MARKUP].map((p, i) => agentCall(i + 1, T0 + i * 60_000 - 1000, { command: `${p} curl http://203.0.113.47:3333/ ${MARKUP.join(' ')}`, call_id: `${p}call-${i + 1}`, session: `${p}ep-7` }));
    const drops = [...FORMULAS, ...MARKUP].map((_, i) => iptablesLine(T0 + i * 60_000));
    const domains = [...FORMULAS, ...MARKUP].map((p, i) => cloudFirewallLine(T0 / 1000 + i * 60 + 30, `${p}pool.example${MARKUP[i % MARKUP.length]}`));
    put('injection', 'agent.jsonl', lines(calls));
    put('injection', 'kern.log', lines(drops));
    put('injection', 'cloudfirewall.jsonl', lines(domains));
    const n = FORMULAS.length + MARKUP.length;
    add('injection', {
      what: 'HTML, Markdown and CSV formula prefixes (=, +, -, @) in commands, call ids, sessions and domains',
      files: { 'agent.jsonl': { records: n, skipped: [] }, 'kern.log': { records: n, skipped: [] }, 'cloudfirewall.jsonl': { records: n, skipped: [] } },
      violations: 2 * n, inert: true,
    });
  }

  // 3. Invalid UTF-8 (lone continuation bytes, overlong forms, cut sequences) inside good and bad lines.
  {
    const good = Buffer.from(iptablesLine(T0) + '\n');
    const withInvalid = Buffer.concat([Buffer.from(`${isoSyslog(T0 + 1000)} gpu-node-07 kernel: [1.0] DROP`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x80]), Buffer.from(': ' + iptablesLine(T0 + 1000).split('DROP: ')[1] + '\n')]);
    const garbage = Buffer.concat([Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]), Buffer.from('\n')]);
    add('invalid-utf8', {
      what: 'invalid UTF-8 byte sequences: inside a record (kept, replaced by U+FFFD) and as a whole line (skipped)',
      files: { 'kern.log': { records: 3, skipped: [3] } },
    });
    put('invalid-utf8', 'kern.log', Buffer.concat([good, withInvalid, garbage, Buffer.from(iptablesLine(T0 + 2000) + '\n')]));
  }

  // 4. UTF-16 text (LE and BE with a byte-order mark, as Windows tools write it) and a broken UTF-16 file.
  {
    const text = lines([agentCall(1, T0 - 1000), agentCall(2, T0 + 60_000)]);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    put('utf16', 'agent-le.jsonl', le);
    put('utf16', 'agent-be.jsonl', be);
    // A lone surrogate in the second record and an odd final byte.
    const broken = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(agentCall(1, T0 - 1000) + '\n', 'utf16le'), Buffer.from(agentCall(2, T0).replace('curl', '\ud800curl') + '\n', 'utf16le'), Buffer.from([0x41])]);
    put('utf16', 'agent-broken.jsonl', broken);
    add('utf16', {
      what: 'UTF-16LE and UTF-16BE files with a byte-order mark (re-encoded, every record read) and a UTF-16 file with a lone surrogate and an odd last byte',
      files: { 'agent-le.jsonl': { records: 2, skipped: [], format: 'agent-events', note: /UTF-16LE/ }, 'agent-be.jsonl': { records: 2, skipped: [], format: 'agent-events', note: /UTF-16BE/ }, 'agent-broken.jsonl': { records: 2, skipped: [3], format: 'agent-events' } },
    });
  }

  // 5. NUL bytes: a run of NULs where a crashed writer preallocated the file, and a NUL inside a record.
  {
    const nulRun = Buffer.alloc(4096, 0);
    const inRecord = iptablesLine(T0 + 1000, { prefix: 'DROP\u0000: ' });
    add('nul', {
      what: 'NUL bytes: a 4 KiB run of NULs on its own line (skipped) and a NUL inside a record (kept)',
      files: { 'kern.log': { records: 3, skipped: [2] } },
    });
    put('nul', 'kern.log', Buffer.concat([Buffer.from(iptablesLine(T0) + '\n'), nulRun, Buffer.from('\n' + inRecord + '\n' + iptablesLine(T0 + 2000) + '\n')]));
  }

  // 6. One line of bigLineMb MB between good lines: skipped by the line limit, never truncated.
  {
    mkdirSync(join(dir, 'big-line'), { recursive: true });
    const fd = openSync(join(dir, 'big-line', 'kern.log'), 'w');
    writeSync(fd, iptablesLine(T0) + '\n' + iptablesLine(T0 + 1000) + '\n');
    const block = Buffer.alloc(1024 * 1024, 0x41);
    for (let i = 0; i < bigLineMb; i++) writeSync(fd, block);
    writeSync(fd, '\n' + iptablesLine(T0 + 2000) + '\n');
    closeSync(fd);
    add('big-line', {
      what: `one line of ${bigLineMb} MiB between good lines (over the 16 MiB line limit)`,
      files: { 'kern.log': { records: 3, skipped: [3], message: /exceeds the limit of \d+ bytes/ } },
      slow: true,
    });
  }

  // 7. Deeply nested JSON: raw nesting in a JSON lines record, nesting inside an escaped JSON string,
  //    and a whole document that nests too deep.
  {
    const depth = 100_000;
    const deepRaw = agentCall(2, T0).replace('"tool":"bash"', `"tool":"bash","input":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
    const deepString = agentCall(3, T0).replace('"tool":"bash"', `"tool":"bash","note":${JSON.stringify('['.repeat(depth) + ']'.repeat(depth))}`);
    put('deep-json', 'agent.jsonl', lines([agentCall(1, T0 - 1000), deepRaw, deepString, agentCall(4, T0 + 60_000)]));
    const doc = `{"Records":[{"eventVersion":"1.08","eventTime":"2026-03-02T10:14:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","requestParameters":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;
    put('deep-json', 'trail.json', doc);
    add('deep-json', {
      what: 'JSON nested 100000 levels: raw in a JSON lines record, inside an escaped string, and in a one-line CloudTrail document',
      files: { 'agent.jsonl': { records: 2, skipped: [2, 3], message: /nested deeper than 256/ }, 'trail.json': { records: 0, skipped: [1], message: /nested deeper than 256/ } },
    });
  }

  // 8. One huge JSON array: a top-level array of numbers (no format) and a one-line CloudTrail Records
  //    document past the 16 MiB line limit (read whole under the document limit).
  {
    const n = 40_000;
    const recs = [];
    for (let i = 0; i < n; i++) {
      recs.push(JSON.stringify({ eventVersion: '1.08', eventTime: new Date(T0 + i * 1000).toISOString().replace('.000', ''), eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', awsRegion: 'us-east-1', sourceIPAddress: '10.20.3.17', userAgent: 'aws-cli/2.15 ' + 'x'.repeat(300), errorCode: i % 1000 === 0 ? 'AccessDenied' : undefined, userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci' }, eventID: `e-${i}`, recipientAccountId: '111122223333' }));
    }
    put('huge-array', 'trail.json', `{"Records":[${recs.join(',')}]}`);
    put('huge-array', 'numbers.json', '[' + Array.from({ length: 2_000_000 }, (_, i) => i).join(',') + ']');
    add('huge-array', {
      what: `a JSON file that is one huge array: 2 million numbers (no format: listed, hashed) and a one-line CloudTrail file of ${n} records (~${Math.round(recs.join(',').length / 1e6)} MB)`,
      files: { 'trail.json': { records: n, skipped: [], format: 'aws-cloudtrail' }, 'numbers.json': { records: 0, skipped: [], format: 'unknown' } },
    });
  }

  // 9. Truncated gzip: the readable records are analysed, the cut is an error, the cut record is skipped.
  {
    const text = lines([1, 2, 3, 4, 5, 6].map((i) => agentCall(i, T0 + i * 60_000)));
    const gz = gzipSync(text);
    put('truncated-gzip', 'agent.jsonl.gz', gz.subarray(0, gz.length - 40));
    add('truncated-gzip', {
      what: 'a gzip file cut 40 bytes short: what decompresses is analysed, the cut is reported with the line it struck',
      files: { 'agent.jsonl.gz': { records: 3, skipped: [4], readError: /truncated/ } },
      strictExit: 2,
    });
  }

  // 10. A gzip bomb: good records, then 1 GiB of zeros in 16 members (~1 MB on disk).
  {
    const head = gzipSync(lines([agentCall(1, T0), agentCall(2, T0 + 60_000)]));
    const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0), { level: 9 });
    put('gzip-bomb', 'agent.jsonl.gz', Buffer.concat([head, ...Array(16).fill(zeros)]));
    add('gzip-bomb', {
      what: 'a gzip bomb: two good records, then 1 GiB of zeros from ~1 MB (stopped by the expansion-ratio guard after 256 MiB)',
      files: { 'agent.jsonl.gz': { records: 2, skipped: [3], readError: /decompression bomb/ } },
      slow: true,
    });
  }

  // 11. An empty file and a binary file: listed and hashed as format unknown, no error.
  {
    put('empty-binary', 'empty.log', '');
    let x = 0x2545f491;
    const bin = Buffer.alloc(256 * 1024);
    for (let i = 0; i < bin.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bin[i] = x & 0xff;
    }
    put('empty-binary', 'blob.bin', bin);
    add('empty-binary', {
      what: 'an empty file and 256 KiB of random bytes: listed with format unknown, hashed, no records, no crash',
      files: { 'empty.log': { records: 0, skipped: [], format: 'unknown' }, 'blob.bin': { records: 0, skipped: [], format: 'unknown' } },
    });
  }

  // 12. CRLF, LF and a stray CR inside a line: every record read at its own line number.
  {
    const a = iptablesLine(T0), b = iptablesLine(T0 + 1000), c = iptablesLine(T0 + 2000), d = iptablesLine(T0 + 3000);
    put('line-endings', 'kern.log', `${a}\r\n${b}\n\r\n${c}\r\n${d}`);
    put('line-endings', 'agent.jsonl', `${agentCall(1, T0 - 1000)}\r\n${agentCall(2, T0 + 60_000)}\n`);
    add('line-endings', {
      what: 'CRLF and LF mixed, a blank CRLF line, no final newline',
      files: { 'kern.log': { records: 4, skipped: [], lines: [1, 2, 4, 5] }, 'agent.jsonl': { records: 2, skipped: [] } },
    });
  }

  // 13. Timestamps far in the past and future (and past what a JavaScript date can hold).
  {
    put('far-times', 'agent.jsonl', lines([
      agentCall(1, T0 - 1000),
      agentCall(2, 0, { start: '0001-01-01T00:00:00Z', end: '0001-01-01T00:00:05Z' }),
      agentCall(3, 0, { start: '9999-12-31T23:59:59Z', end: '9999-12-31T23:59:59Z' }),
      agentCall(4, 0, { start: '+275760-09-13T00:00:00.001Z', end: undefined }),
      agentCall(5, 0, { start: 1e20, end: undefined }),
      agentCall(6, 0, { start: -8.64e15 - 1, end: undefined }),
      agentCall(7, T0 + 60_000),
    ]));
    put('far-times', 'kern.log', lines([
      iptablesLine(T0),
      iptablesLine(T0).replace(/^2026/, '1970'),
      iptablesLine(T0).replace(/^2026/, '9999'),
      iptablesLine(T0).replace(/^2026-03-02/, '2026-13-45'),
      iptablesLine(T0 + 1000),
    ]));
    add('far-times', {
      what: 'timestamps in year 1, 1970, 9999, beyond the JavaScript date range (+275760, 1e20 ms, below -8.64e15 ms) and an impossible date',
      files: { 'agent.jsonl': { records: 4, skipped: [4, 5, 6] }, 'kern.log': { records: 4, skipped: [4] } },
    });
  }

  // 14. Records in reverse time order, each written twice.
  {
    const recs = [];
    for (let i = 5; i >= 1; i--) recs.push(iptablesLine(T0 + i * 1000, { dpt: 1000 + i }), iptablesLine(T0 + i * 1000, { dpt: 1000 + i }));
    put('reversed-duplicated', 'kern.log', lines(recs));
    add('reversed-duplicated', {
      what: 'ten records in reverse time order, each duplicated: all kept, violations sorted by time then line',
      files: { 'kern.log': { records: 10, skipped: [] } },
      violations: 10,
      violationLines: [9, 10, 7, 8, 5, 6, 3, 4, 1, 2],
    });
  }

  // 15. A folder with symbolic link loops and files nobody can read.
  {
    const base = join(dir, 'folder-traps');
    mkdirSync(join(base, 'sub'), { recursive: true });
    writeFileSync(join(base, 'kern.log'), lines([iptablesLine(T0)]));
    writeFileSync(join(base, 'sub', 'agent.jsonl'), lines([agentCall(1, T0 - 1000)]));
    symlinkSync('..', join(base, 'sub', 'up-loop'));
    symlinkSync('loop-b', join(base, 'loop-a'));
    symlinkSync('loop-a', join(base, 'loop-b'));
    symlinkSync('does-not-exist', join(base, 'dangling'));
    writeFileSync(join(base, 'locked.log'), lines([iptablesLine(T0 + 1000)]));
    chmodSync(join(base, 'locked.log'), 0o000);
    let fifo = false;
    try {
      execFileSync('mkfifo', [join(base, 'pipe')]);
      fifo = true;
    } catch {
      /* no mkfifo: the case runs without a pipe */
    }
    cases.push({
      name: 'folder-traps',
      what: 'a folder with a symlink to its parent, a two-link loop, a dangling link, a FIFO, and a chmod 000 file (unreadable to a non-root user)',
      files: { 'kern.log': { records: 1, skipped: [] }, 'sub/agent.jsonl': { records: 1, skipped: [] } },
      problems: ['loop-a', 'loop-b', 'dangling', 'sub/up-loop', ...(fifo ? ['pipe'] : [])],
      locked: 'locked.log',
    });
  }

  // 16. Rules: a catastrophic-backtracking pattern against a 100 KB string, and JS-only constructs.
  {
    const base = join(dir, 'rules');
    mkdirSync(join(base, 'redos'), { recursive: true });
    mkdirSync(join(base, 'backref'), { recursive: true });
    mkdirSync(join(base, 'lookahead'), { recursive: true });
    const rule = (id, pattern) =>
      networkRule(id, {
        selection: `dst.domain|re: '${pattern}'`,
        positive: ['matches', "{ kind: network, dst: { domain: 'aaaa' } }"],
        negative: ['does not match', "{ kind: network, dst: { domain: 'aaaa!' } }"],
      });
    writeFileSync(join(base, 'redos', 'redos.yml'), rule('hostile-redos', '^(a+)+$'));
    // The suite's own baseline rule, so expected counts do not move when the built-in rules grow.
    mkdirSync(join(base, 'base'), { recursive: true });
    writeFileSync(join(base, 'base', 'denied.yml'), deniedRule('hostile-denied'));
    writeFileSync(join(base, 'backref', 'backref.yml'), rule('hostile-backref', '(a+)\\1'));
    writeFileSync(join(base, 'lookahead', 'lookahead.yml'), rule('hostile-lookahead', 'a(?=b)'));
    put('redos-input', 'cloudfirewall.jsonl', lines([cloudFirewallLine(T0 / 1000, 'aaaa'), cloudFirewallLine(T0 / 1000 + 1, 'a'.repeat(100_000) + '!')]));
    add('redos-input', {
      what: 'a rule with the catastrophic-backtracking pattern ^(a+)+$ run on a record holding 100 000 a\'s and a !; rules with a back-reference and a look-ahead are refused',
      files: { 'cloudfirewall.jsonl': { records: 2, skipped: [] } },
      redosMatches: 1,
      rules: { redos: 'rules/redos', backref: 'rules/backref', lookahead: 'rules/lookahead', base: 'rules/base' },
    });
  }

  const manifest = { bigLineMb, cases: cases.map((c) => JSON.parse(JSON.stringify(c, (_k, v) => (v instanceof RegExp ? { re: v.source } : v)))) };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node scripts/make-hostile-corpus.mjs <dir> [--big-line-mb N]\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--big-line-mb');
  const mb = Number(i > 0 ? process.argv[i + 1] : process.env.HOSTILE_BIG_LINE_MB ?? 200);
  const m = makeHostileCorpus(dir, { bigLineMb: mb });
  process.stdout.write(`${m.cases.length} cases in ${resolve(dir)}\n`);
}
