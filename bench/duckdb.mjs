// What a skilled responder might do instead of agent-forensics: load the bench folder into DuckDB
// (syslog lines cut with regexes, JSON lines read natively) and join violations to the tool calls
// running around them. Knows the generator's file layout; gives no attribution, scoring or clocks.
// Needs @duckdb/node-api, which the project does not depend on: `npm install --no-save @duckdb/node-api`.
// Usage: node bench/duckdb.mjs <evidence dir> [--gz]  → one JSON line {ms, violations, pairs} on stdout.
// --gz: the folder's files are gzipped (a `gz:` size of the bench); DuckDB reads them as they are.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const { DuckDBInstance } = await import('@duckdb/node-api');
const dir = process.argv[2];
const gz = process.argv.includes('--gz') ? '.gz' : '';
const quote = (p) => `'${p.replaceAll("'", "''")}'`;
const at = (...parts) => quote(join(dir, ...parts) + gz);

const t0 = performance.now();
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const run = async (sql) => (await con.runAndReadAll(sql)).getRows();

// Year-less syslog stamps: the responder knows the year. Netfilter fields by regex.
await run(`CREATE TABLE kern AS SELECT
    strptime('2026 ' || substr(line, 1, 15), '%Y %b %-d %H:%M:%S') AS ts,
    regexp_extract(line, '^\\S+\\s+\\S+\\s+\\S+\\s+(\\S+)', 1) AS host,
    regexp_extract(line, ' DST=(\\S+)', 1) AS dst,
    TRY_CAST(regexp_extract(line, ' DPT=(\\d+)', 1) AS INTEGER) AS dpt,
    regexp_extract(line, ' (ACCEPT|DROP|REJECT):', 1) AS verdict
  FROM read_csv(${at('firewall', '*kern.log')}, columns = {'line': 'VARCHAR'}, delim = E'\\x01', header = false, quote = '', escape = '')`);
// The flood profile has no Cloud Firewall or CloudTrail file.
const present = (...parts) => existsSync(join(dir, ...parts) + gz);
const hasCfw = present('firewall', 'cloudfirewall-traffic.jsonl');
const hasCt = present('audit', 'cloudtrail.jsonl');
if (hasCfw) {
  await run(`CREATE TABLE cfw AS SELECT to_timestamp(CAST(start_time AS BIGINT))::TIMESTAMP AS ts, dst_ip, CAST(dst_port AS INTEGER) AS dpt, rule_result
    FROM read_json(${at('firewall', 'cloudfirewall-traffic.jsonl')}, format = 'newline_delimited')`);
}
if (hasCt) {
  await run(`CREATE TABLE ct AS SELECT CAST(eventTime AS TIMESTAMP) AS ts, eventName, errorCode
    FROM read_json(${at('audit', 'cloudtrail.jsonl')}, format = 'newline_delimited', union_by_name = true)`);
}
await run(`CREATE TABLE calls AS SELECT session, call_id, host, CAST("start" AS TIMESTAMP) AS s, CAST("end" AS TIMESTAMP) AS e
  FROM read_json(${at('agent', '*.jsonl')}, format = 'newline_delimited', union_by_name = true) WHERE type = 'tool_call'`);
// Violations as the built-in rules would roughly see them, then every call running within 2 s before to 60 s after.
const [row] = await run(`WITH v AS (
    SELECT ts, host, dst, dpt FROM kern WHERE verdict <> 'ACCEPT' OR dpt IN (3333, 4444, 5555, 7777, 14444)
    ${hasCfw ? "UNION ALL SELECT ts, NULL, dst_ip, dpt FROM cfw WHERE rule_result <> 'pass'" : ''}
    ${hasCt ? 'UNION ALL SELECT ts, NULL, eventName, NULL FROM ct WHERE errorCode IS NOT NULL' : ''}),
  pairs AS (SELECT v.*, c.call_id FROM v JOIN calls c
    ON v.ts BETWEEN c.s - INTERVAL 2 SECOND AND c.e + INTERVAL 60 SECOND AND (v.host IS NULL OR v.host = c.host))
  SELECT (SELECT count(*) FROM v), (SELECT count(*) FROM pairs)`);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, violations: Number(row[0]), pairs: Number(row[1]) }) + '\n');
