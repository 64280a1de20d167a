// --geoip through the built CLI: real MMDB files in, country and network owner out in the JSON
// report and the table; a missing or invalid database is exit 2 with one line naming it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleGeoDatabases } from '../enrich/sample-geo.js';
import { ensureBuilt, runCli, SAMPLES } from './built-cli.js';

let dir = '';
let dbs: string[] = [];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'af-cli-geoip-'));
  dbs = Object.entries(sampleGeoDatabases()).map(([name, bytes]) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('agent-forensics correlate --geoip', () => {
  it('adds country, AS number and organization to external endpoints in the JSON report', () => {
    const r = runCli([...SAMPLES, '--format', 'json', '--geoip', ...dbs]);
    expect(r.stderr).toMatch(/^(|agent-forensics: \d+ inputs[^\n]*\n)$/);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.toString('utf8'));
    const tunnel = report.violations.find((v: { dst?: { ip?: string } }) => v.dst?.ip === '203.0.113.47');
    expect(tunnel.dst).toMatchObject({ country: 'NL', asn: 64500, org: 'Tunnel Hosting BV' });
    expect(tunnel.src.country).toBeUndefined();
    // byte-identical reruns hold with enrichment too
    expect(runCli([...SAMPLES, '--format', 'json', '--geoip', ...dbs]).stdout.equals(r.stdout)).toBe(true);
  });

  it('shows NL/AS64500 beside the destination in the table', () => {
    const r = runCli([...SAMPLES, '--geoip', ...dbs]);
    expect(r.status).toBe(0);
    const line = r.stdout.toString('utf8').split('\n').find((l) => l.includes('203.0.113.47:22'));
    expect(line).toMatch(/NL\/AS64500/);
  });

  it('a missing database is exit 2 with one line naming it', () => {
    const missing = join(dir, 'nope.mmdb');
    const r = runCli([...SAMPLES, '--format', 'json', '--geoip', missing]);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe(`agent-forensics: ${missing}: cannot read the GeoIP database (no such file)\n`);
  });

  it('a file that is not a MaxMind database is exit 2', () => {
    const bogus = join(dir, 'bogus.mmdb');
    writeFileSync(bogus, 'not a database\n'.repeat(100));
    const r = runCli([...SAMPLES, '--format', 'json', '--geoip', bogus]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^agent-forensics: ${bogus.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a (valid )?MaxMind DB`));
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});
