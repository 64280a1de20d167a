// GeoIP end to end in process: analyze() on samples/, enrichReport() with real MMDB files, then every
// renderer shows the facts (what src/pipeline.ts does with --geoip, without spawning the CLI).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAnalysisOptions } from '../../src/cli/options.js';
import { enrichReport } from '../../src/enrich/geoip.js';
import type { Report } from '../../src/model/report.js';
import { analyze } from '../../src/pipeline.js';
import { rendererByName } from '../../src/report/registry.js';
import { ROOT } from '../cli/built-cli.js';
import { sampleGeoDatabases } from './sample-geo.js';

let dir = '';
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'af-geo-report-'));
  const dbs = sampleGeoDatabases();
  const paths = Object.entries(dbs).map(([name, bytes]) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  });
  const options = toAnalysisOptions([join(ROOT, 'samples')], { inventory: join(ROOT, 'samples/inventory.csv') });
  ({ report } = await analyze(options));
  await enrichReport(report, paths);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function parseCsv(text: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const rows: Record<string, string>[] = [];
    parseString(text, { headers: true }).on('data', (r: Record<string, string>) => rows.push(r)).on('error', reject).on('end', () => resolve(rows));
  });
}

const render = (format: string) => rendererByName(format)!.render(report, { color: false });

describe('GeoIP on the samples report', () => {
  it('enriches the tunnel endpoint, the mining pool and the inbound scanner, and no internal address', () => {
    const tunnel = report.violations.find((v) => v.dst?.ip === '203.0.113.47')!;
    expect(tunnel.dst).toMatchObject({ country: 'NL', asn: 64500, org: 'Tunnel Hosting BV' });
    expect(tunnel.src).not.toHaveProperty('country');
    const pool = report.violations.filter((v) => v.dst?.ip === '198.51.100.23');
    expect(pool.length).toBeGreaterThan(10);
    for (const v of pool) expect(v.dst).toMatchObject({ country: 'DE', asn: 64501, org: 'Pool Operators GmbH' });
    const scanner = report.violations.find((v) => v.src?.ip === '45.155.205.99')!;
    expect(scanner.src).toMatchObject({ country: 'RU', asn: 64502 });
    for (const v of report.violations) {
      for (const e of [v.src, v.dst]) if (e?.ip && /^(10|172\.1[6-9]|172\.2\d|172\.3[01]|192\.168|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\./.test(e.ip)) expect(e).not.toHaveProperty('country');
    }
    expect(report.settings?.geoip).toMatch(/GeoLite2-City, built 2026-01-01\).*GeoLite2-ASN, built 2026-01-01\)/);
  });

  it('table shows CC/AS beside each destination and lists the external addresses with their owners', async () => {
    const out = await render('table');
    const header = out.split('\n')[1]!;
    expect(header).toMatch(/WHAT +GEO +RULE/);
    expect(out.split('\n').find((l) => l.includes('203.0.113.47:22'))).toMatch(/NL\/AS64500/);
    expect(out).toMatch(/External addresses \(\d+, GeoIP\)/);
    expect(out).toMatch(/198\.51\.100\.23 +DE · AS64501 Pool Operators GmbH +destination, V\d+, V\d+, V\d+, V\d+, V\d+ … V\d+ \(\d+\)/);
    expect(out).toMatch(/45\.155\.205\.99 +RU · AS64502 Scan Networks +source, V\d+/);
  });

  it('md, html and csv carry country, AS number and organization', async () => {
    const md = await render('md');
    expect(md).toContain('## External addresses\n\nCountry and network owner');
    expect(md).toMatch(/\| `198\.51\.100\.23` \| DE \| AS64501 \| Pool Operators GmbH \| destination \|/);
    expect(md).toContain('203.0.113.47:22 \\[NL/AS64500\\]');
    const html = await render('html');
    expect(html).toContain('<section id="external"><h2>External addresses (GeoIP)</h2>');
    expect(html).toContain('<div class="muted">destination NL · AS64500 Tunnel Hosting BV</div>');
    const rows = await parseCsv(await render('csv'));
    const tunnel = rows.find((r) => r.dst_ip === '203.0.113.47')!;
    expect([tunnel.dst_country, tunnel.dst_asn, tunnel.dst_org]).toEqual(['NL', '64500', 'Tunnel Hosting BV']);
    const scanner = rows.find((r) => r.src_ip === '45.155.205.99')!;
    expect([scanner.src_country, scanner.src_asn, scanner.src_org]).toEqual(['RU', '64502', 'Scan Networks']);
    const json = JSON.parse(await render('json'));
    expect(json.violations.find((v: { dst?: { ip?: string } }) => v.dst?.ip === '203.0.113.47').dst.asn).toBe(64500);
  });
});
