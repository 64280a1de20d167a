// --format html: one self-contained page (inline CSS, inline JS, inline SVG; nothing fetched) that
// works offline and as an e-mail attachment. Every log-derived string is HTML-escaped; the JS gets
// its data from a <script type="application/json"> block and writes text with textContent only.
import { formatRef, SEVERITIES, type Severity } from '../model/event.js';
import type { Attribution, Report, Violation } from '../model/report.js';
import { escapeHtml as h, escapeHtmlBlock, jsonForScript, stripTerminalControls } from './escape.js';
import {
  countBySeverity, formatDeltaMs, formatOverRepresentation, formatPercent, formatPValue, SEVERITIES_DESC, verdictSentences,
} from './md.js';
import { externalAddresses, geoLabel, hasGeo, idList } from './geo.js';
import type { ReportRenderer } from './renderer.js';
import { whatHappened } from './table.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const SEV_LABEL: Record<Severity, string> = { info: 'INFO', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };

// ---- timeline geometry (SVG user units; the SVG scales to the page width) ----------------------
const G = { width: 1200, gutter: 220, right: 24, axis: 34, lane: 34, bottom: 12 } as const;
const PLOT_W = G.width - G.gutter - G.right;

/** Tick steps a reader can count in, smallest first. */
const TICK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000,
];

function tickStep(spanMs: number): number {
  return TICK_STEPS_MS.find((s) => spanMs / s <= 10) ?? Math.ceil(spanMs / 10 / 86_400_000) * 86_400_000;
}

function tickLabel(t: number, stepMs: number, first: boolean): string {
  const iso = new Date(t).toISOString();
  const clock = stepMs < 1000 ? iso.slice(11, 23) : stepMs < 60_000 ? iso.slice(11, 19) : iso.slice(11, 16);
  return first || stepMs >= 86_400_000 ? `${iso.slice(0, 10)} ${clock}` : clock;
}

interface Lane {
  key: string;
  label: string;
  kind: 'host' | 'session';
}

interface CallBar {
  lane: string;
  call: Attribution;
  startMs: number;
  /** end of the drawn bar: the latest violation attributed to the call (the report carries no call end) */
  endMs: number;
  chosen: boolean;
  violations: string[];
}

const ms = (iso: string): number => Date.parse(iso);

function hostKey(v: Violation): string {
  // The inventory's host name beats the log's own label for it (a cloud firewall names a private IP).
  const host = v.origin?.host ?? v.host;
  return v.sandbox !== undefined ? `sandbox ${v.sandbox}` : host !== undefined ? host : `(${v.format}, no host)`;
}

const callKey = (a: Attribution): string => JSON.stringify([a.session, a.callId, a.time]);

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

interface Timeline {
  lanes: Lane[];
  bars: CallBar[];
  t0: number;
  t1: number;
  height: number;
  laneY: Map<string, number>;
}

function layoutTimeline(report: Report): Timeline | null {
  const lanes: Lane[] = [];
  const seen = new Set<string>();
  const bars = new Map<string, CallBar>();
  const times: number[] = [];
  for (const v of report.violations) {
    const key = `h:${hostKey(v)}`;
    if (!seen.has(key)) {
      seen.add(key);
      lanes.push({ key, label: hostKey(v), kind: 'host' });
    }
    times.push(ms(v.time));
  }
  const sessionLanes: Lane[] = [];
  const addCall = (a: Attribution, chosen: boolean, v: Violation): void => {
    const key = `s:${a.session}`;
    if (!seen.has(key)) {
      seen.add(key);
      // the sandbox first: it is what ties the session lane to the host/sandbox lane above it
      sessionLanes.push({ key, label: `${a.sandbox ? `${a.sandbox} · ` : ''}session ${a.session}`, kind: 'session' });
    }
    const k = callKey(a);
    const start = ms(a.time);
    times.push(start);
    const bar = bars.get(k) ?? { lane: key, call: a, startMs: start, endMs: start, chosen: false, violations: [] };
    if (chosen) {
      bar.chosen = true;
      bar.endMs = Math.max(bar.endMs, ms(v.time));
      bar.violations.push(v.id);
    }
    bars.set(k, bar);
  };
  for (const v of report.violations) {
    if (v.attribution) addCall(v.attribution, true, v);
    for (const c of v.candidates) addCall(c, false, v);
  }
  lanes.push(...sessionLanes);
  const finite = times.filter(Number.isFinite);
  if (lanes.length === 0 || finite.length === 0) return null;
  // a loop, not Math.min(...times): spreading a large report would overflow the call stack
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const t of finite) {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
  }
  if (t1 - t0 < 2000) {
    t0 -= 1000;
    t1 += 1000;
  }
  const pad = (t1 - t0) * 0.03;
  t0 = Math.floor(t0 - pad);
  t1 = Math.ceil(t1 + pad);
  const laneY = new Map(lanes.map((l, i) => [l.key, G.axis + i * G.lane]));
  return { lanes, bars: [...bars.values()], t0, t1, height: G.axis + lanes.length * G.lane + G.bottom, laneY };
}

function renderAxis(t0: number, t1: number, height: number): string {
  const step = tickStep(t1 - t0);
  const out: string[] = [];
  let first = true;
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const x = (G.gutter + ((t - t0) / (t1 - t0)) * PLOT_W).toFixed(1);
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${G.axis - 6}" y2="${height - G.bottom}"/>`);
    out.push(`<text class="tick-label" x="${x}" y="${G.axis - 10}" text-anchor="middle">${h(tickLabel(t, step, first))}</text>`);
    first = false;
  }
  return out.join('');
}

function renderTimeline(report: Report, tl: Timeline): string {
  const x = (t: number): string => (G.gutter + ((t - tl.t0) / (tl.t1 - tl.t0)) * PLOT_W).toFixed(1);
  const parts: string[] = [];
  parts.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${G.width} ${tl.height}" width="100%" role="img" aria-labelledby="timeline-title" data-t0="${tl.t0}" data-t1="${tl.t1}">`);
  parts.push('<title id="timeline-title">Timeline: violations per host or sandbox, tool calls per agent session, attributed pairs linked</title>');
  parts.push(`<defs><clipPath id="plot-clip"><rect x="${G.gutter}" y="0" width="${PLOT_W}" height="${tl.height}"/></clipPath></defs>`);
  tl.lanes.forEach((lane, i) => {
    const y = tl.laneY.get(lane.key)!;
    parts.push(`<g class="lane lane-${lane.kind}">`);
    parts.push(`<rect class="lane-bg${i % 2 ? ' odd' : ''}" x="0" y="${y}" width="${G.width}" height="${G.lane}"/>`);
    parts.push(`<text class="lane-label" x="8" y="${y + G.lane / 2 + 4}"><title>${h(lane.label)}</title>${lane.kind === 'session' ? '▮ ' : '● '}${h(truncate(stripTerminalControls(lane.label), 30))}</text>`);
    parts.push('</g>');
  });
  parts.push(`<g id="axis">${renderAxis(tl.t0, tl.t1, tl.height)}</g>`);
  parts.push('<g clip-path="url(#plot-clip)" id="plot">');
  // call bars first, links next, violation marks on top
  for (const bar of tl.bars) {
    const y = tl.laneY.get(bar.lane)! + 8;
    const w = Math.max(4, Number(x(bar.endMs)) - Number(x(bar.startMs)));
    const tip = `${bar.call.callId} (${bar.call.tool}) started ${bar.call.time}` +
      (bar.chosen ? `; caused ${bar.violations.join(', ')}; the bar ends at the last violation attributed to it` : '; considered as a candidate, not chosen') +
      `\n${truncate(stripTerminalControls(bar.call.command), 300)}`;
    parts.push(`<rect class="call${bar.chosen ? ' chosen' : ' candidate'}" data-t0="${bar.startMs}" data-t1="${bar.endMs}" x="${x(bar.startMs)}" y="${y}" width="${w.toFixed(1)}" height="${G.lane - 16}" rx="3"><title>${h(tip)}</title></rect>`);
  }
  const barOf = new Map(tl.bars.map((b) => [callKey(b.call), b]));
  for (const v of report.violations) {
    const a = v.attribution;
    if (!a) continue;
    const y1 = tl.laneY.get(`s:${a.session}`)! + G.lane / 2;
    const y2 = tl.laneY.get(`h:${hostKey(v)}`)! + G.lane / 2;
    // From the point of the call's bar nearest the violation: a miner's hundreds of hits then read as
    // a comb under one bar instead of a fan of lines out of the call's start.
    const bar = barOf.get(callKey(a));
    const from = Math.min(Math.max(ms(v.time), bar?.startMs ?? ms(a.time)), bar?.endMs ?? ms(a.time));
    parts.push(`<line class="link sev-${v.severity}" data-sev="${v.severity}" data-t0="${from}" data-t1="${ms(v.time)}" x1="${x(from)}" y1="${y1}" x2="${x(ms(v.time))}" y2="${y2}"/>`);
  }
  for (const v of report.violations) {
    const y = tl.laneY.get(`h:${hostKey(v)}`)! + G.lane / 2;
    const tip = `${v.id} ${SEV_LABEL[v.severity]} ${v.time}\n${whatHappened(v)}\n${formatRef(v.ref)}` + (v.attribution ? `\ncaused by ${v.attribution.callId}` : '\nunattributed');
    parts.push(`<circle class="mark sev-${v.severity}${v.attribution ? ' attributed' : ''}" data-sev="${v.severity}" data-id="${h(v.id)}" data-t="${ms(v.time)}" cx="${x(ms(v.time))}" cy="${y}" r="6" tabindex="0"><title>${h(tip)}</title></circle>`);
  }
  parts.push('</g>');
  parts.push(`<rect id="selection" class="selection" x="0" y="${G.axis}" width="0" height="${tl.height - G.axis - G.bottom}" visibility="hidden"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** What the inline JS needs; log-derived strings are control-stripped here and inserted with textContent. */
function scriptData(report: Report, tl: Timeline | null): unknown {
  const t = (s: unknown): string => stripTerminalControls(s === undefined || s === null ? '' : String(s));
  return {
    t0: tl?.t0 ?? 0,
    t1: tl?.t1 ?? 0,
    geometry: { gutter: G.gutter, plotW: PLOT_W, axis: G.axis, bottom: G.bottom, height: tl?.height ?? 0 },
    violations: report.violations.map((v) => ({
      id: t(v.id),
      time: t(v.time),
      severity: v.severity,
      what: t(whatHappened(v)),
      network: t([hasGeo(v.dst) ? `destination ${geoLabel(v.dst)}` : '', hasGeo(v.src) ? `source ${geoLabel(v.src)}` : ''].filter(Boolean).join('; ')),
      where: t(v.sandbox ?? v.host ?? ''),
      ref: t(formatRef(v.ref)),
      rules: v.rules.map((r) => t(`${r.id}: ${r.title}`)),
      call: v.attribution ? t(`${v.attribution.callId} (${v.attribution.tool}) in session ${v.attribution.session}`) : null,
      command: v.attribution ? t(truncate(v.attribution.command, 500)) : null,
      confidence: v.attribution ? v.attribution.confidence : null,
      delta: v.attribution ? formatDeltaMs(v.attribution.deltaMs) : null,
    })),
  };
}

// ---- page sections ----------------------------------------------------------------------------

function badge(s: Severity): string {
  return `<span class="badge sev-${s}">${SEV_LABEL[s]}</span>`;
}

const codeOf = (text: unknown): string => `<code>${h(text)}</code>`;

function verdict(report: Report): string {
  const s = report.stats;
  const bySev = countBySeverity(report.incidents);
  const cards = [
    ['Violations', String(s.violations)],
    ['Attributed', `${s.attributed}<small> / ${s.violations}</small>`],
    ['Incidents', `${report.incidents.length}${bySev.length ? `<small> ${bySev.map((c) => `${c.count} ${c.severity}`).join(', ')}</small>` : ''}`],
    ['Over-representation', `${formatOverRepresentation(s.overRepresentation)}<small> p = ${formatPValue(s.pValue)}</small>`],
    ['Agent active', formatPercent(s.agentActiveFraction)],
  ];
  return `<section id="verdict" class="verdict">
<h2>Verdict</h2>
${verdictSentences(report).map((l) => `<p>${h(l)}</p>`).join('\n')}
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${k}</div><div class="v">${v}</div></div>`).join('')}</div>
${readingGuide(report)}
</section>`;
}

/** Plain words on what the numbers mean, for a reviewer who was not in the investigation. */
function readingGuide(report: Report): string {
  const min = report.settings?.minConfidence;
  const threshold = typeof min === 'number' ? min.toFixed(2) : 'the threshold';
  return `<details class="guide"><summary>How to read this report</summary>
<p>A <strong>violation</strong> is a firewall, flow or cloud-audit record that a rule marks (a refused connection, an IDS alert, a refused API call, traffic to a mining pool or tunnel service). It is <strong>attributed</strong> to the agent tool call whose evidence reaches a confidence of ${h(threshold)} or more: the time of the record against the call's run, the same session or sandbox, the command naming the destination, running what the rule describes. Each attribution lists that evidence in plain sentences, and every record has a <code>file:line</code> pointer into the original evidence. An <strong>incident</strong> is all the violations one tool call caused.</p>
<p><strong>Over-representation</strong> compares the share of violations that happened while some agent tool call was running with the share of time tools were running; the p-value is the chance of seeing that many or more by coincidence. Times are UTC after clock correction (see Clock corrections).</p>
</details>`;
}

function timelineSection(report: Report, tl: Timeline | null): string {
  if (!tl) return '<section id="timeline-section"><h2>Timeline</h2><p>Nothing to draw: no violations and no tool calls.</p></section>';
  const present = new Set(report.violations.map((v) => v.severity));
  const filters = SEVERITIES_DESC.filter((s) => present.has(s))
    .map((s) => `<label class="sev-toggle"><input type="checkbox" class="sev-filter" value="${s}" checked> ${badge(s)}</label>`).join(' ');
  return `<section id="timeline-section">
<h2>Timeline</h2>
<div class="controls" id="controls">
<span class="group">Severity: ${filters}</span>
<span class="group"><label for="zoom">Zoom</label> <input type="range" id="zoom" min="0" max="100" value="0"></span>
<span class="group"><label for="pan">Pan</label> <input type="range" id="pan" min="0" max="1000" value="500"></span>
<button type="button" id="reset">Reset</button>
<span class="hint">Drag across the timeline to zoom in; click a mark for details.</span>
</div>
${renderTimeline(report, tl)}
<p class="legend"><span class="lg lg-mark"></span> violation (colour = severity) <span class="lg lg-call"></span> attributed tool call (bar: call start to its last attributed violation) <span class="lg lg-cand"></span> candidate call, not chosen <span class="lg lg-link"></span> attribution (from the call's bar to the violation)</p>
<div id="detail" class="detail" aria-live="polite"><p class="muted">Select a violation mark to see its details here.</p></div>
</section>`;
}

function violationItem(v: Violation): string {
  const a = v.attribution;
  const rules = v.rules.map((r) => `${codeOf(r.id)} ${h(r.title)}`).join('; ');
  const lines = [
    `<li id="v-${h(v.id)}" data-sev="${v.severity}">${badge(v.severity)} <strong>${h(v.id)}</strong> ${h(v.time)} · ${h(whatHappened(v))}`,
    `<div class="meta">evidence ${codeOf(formatRef(v.ref))} (${h(v.format)})${v.host || v.sandbox ? ` on ${h(v.sandbox ?? v.host)}` : ''}${rules ? ` · ${rules}` : ''}</div>`,
  ];
  if (a) {
    lines.push(`<div class="meta">Δ ${h(formatDeltaMs(a.deltaMs))} after the call started · confidence <strong>${a.confidence.toFixed(2)}</strong></div>`);
    if (a.reasons.length) lines.push(`<ul class="reasons">${a.reasons.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`);
    lines.push(otherCandidates(v, a));
  }
  lines.push('</li>');
  return lines.join('\n');
}

const geoNote = (v: Violation): string => {
  const parts = [hasGeo(v.dst) ? `destination ${geoLabel(v.dst)}` : '', hasGeo(v.src) ? `source ${geoLabel(v.src)}` : ''].filter(Boolean);
  return parts.length ? `<div class="muted">${h(parts.join('; '))}</div>` : '';
};

const otherCandidates = (v: Violation, a: Attribution): string => {
  const others = v.candidates.filter((c) => callKey(c) !== callKey(a));
  if (!others.length) return '';
  return `<details><summary>${others.length} other candidate call(s)</summary><ul>${others.map((c) =>
    `<li>${codeOf(c.callId)} (${h(c.tool)}) in session ${codeOf(c.session)}: confidence ${c.confidence.toFixed(2)}, Δ ${h(formatDeltaMs(c.deltaMs))}</li>`).join('')}</ul></details>`;
};

/**
 * An incident's violations as one table under the evidence they all share, stated once: a miner's
 * twenty hits would otherwise repeat the same four sentences twenty times. Each row keeps what is
 * its own (timing, extra rules, other candidates) and its file:line pointer.
 */
function incidentBody(count: number, span: string, members: Violation[]): string {
  const reasonLists = members.map((v) => v.attribution?.reasons ?? []);
  const shared = (reasonLists[0] ?? []).filter((r) => reasonLists.every((l) => l.includes(r)));
  const ruleKey = (r: { id: string }): string => r.id;
  const sharedRules = (members[0]?.rules ?? []).filter((r) => members.every((v) => v.rules.some((x) => ruleKey(x) === ruleKey(r))));
  const confidences = members.map((v) => v.attribution?.confidence).filter((c): c is number => c !== undefined);
  const range = confidences.length
    ? `; confidence ${Math.min(...confidences).toFixed(2)}${Math.max(...confidences) !== Math.min(...confidences) ? `–${Math.max(...confidences).toFixed(2)}` : ''}`
    : '';
  const out = [`<p>${count} violation(s), ${span}${range}.</p>`];
  if (sharedRules.length) out.push(`<p class="meta">Rules: ${sharedRules.map((r) => `${codeOf(r.id)} ${h(r.title)}`).join('; ')}</p>`);
  if (shared.length) {
    out.push(`<p class="why">${members.length > 1 ? `Evidence shared by all ${members.length} violations:` : 'Evidence:'}</p>`);
    out.push(`<ul class="reasons">${shared.map((r) => `<li>${h(r)}</li>`).join('')}</ul>`);
  }
  const rows = members.map((v) => {
    const a = v.attribution;
    const own = (a?.reasons ?? []).filter((r) => !shared.includes(r));
    const extraRules = v.rules.filter((r) => !sharedRules.some((x) => x.id === r.id));
    const notes = [
      own.length ? `<ul class="reasons">${own.map((r) => `<li>${h(r)}</li>`).join('')}</ul>` : '',
      extraRules.length ? `<div class="meta">also ${extraRules.map((r) => `${codeOf(r.id)} ${h(r.title)}`).join('; ')}</div>` : '',
      a ? otherCandidates(v, a) : '',
    ].join('');
    return `<tr id="v-${h(v.id)}" data-sev="${v.severity}"><td class="nowrap">${badge(v.severity)} <strong>${h(v.id)}</strong></td><td class="nowrap">${h(v.time)}</td>`
      + `<td>${h(whatHappened(v, false))}${geoNote(v)}</td><td>${codeOf(formatRef(v.ref))}<div class="muted">${h(v.format)}${v.host || v.sandbox ? ` on ${h(v.sandbox ?? v.host)}` : ''}</div></td>`
      + `<td class="num nowrap">${a ? h(formatDeltaMs(a.deltaMs)) : ''}</td><td class="num">${a ? a.confidence.toFixed(2) : ''}</td><td>${notes}</td></tr>`;
  });
  out.push(`<div class="table-wrap"><table class="members"><thead><tr><th>Violation</th><th>Time (UTC)</th><th>What</th><th>Record (file:line)</th><th>Δ after call start</th><th>Conf.</th><th>Evidence of this violation only</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`);
  return out.join('\n');
}

function callBlock(a: Attribution | null, callId: string, session: string): string {
  if (!a) return `<dl class="call"><dt>Tool call</dt><dd>${codeOf(callId)} in session ${codeOf(session)}</dd></dl>`;
  return `<dl class="call">
<dt>Tool call</dt><dd>${codeOf(a.callId)} (${h(a.tool)}) in session ${codeOf(a.session)}</dd>
<dt>Started</dt><dd>${h(a.time)}${a.timePrecision ? ` <span class="muted">(time precision: ${h(a.timePrecision)})</span>` : ''}</dd>
${a.sandbox || a.host ? `<dt>Ran in</dt><dd>${h([a.sandbox && `sandbox ${a.sandbox}`, a.host && `host ${a.host}`].filter(Boolean).join(' on '))}</dd>
` : ''}<dt>Transcript</dt><dd>${codeOf(formatRef(a.ref))}</dd>
</dl>`;
}

function incidentsSection(report: Report, byId: Map<string, Violation>): string {
  const out = ['<section id="incidents"><h2>Incidents</h2>'];
  if (report.incidents.length === 0) out.push('<p>No incidents.</p>');
  const inIncident = new Set<string>();
  for (const inc of report.incidents) {
    const members = inc.violations.map((id) => byId.get(id)).filter((v): v is Violation => v !== undefined);
    members.forEach((v) => inIncident.add(v.id));
    const call = members.map((v) => v.attribution).find((a) => a && a.callId === inc.callId && a.session === inc.session) ?? null;
    const span = inc.first === inc.last ? h(inc.first) : `${h(inc.first)} to ${h(inc.last)}`;
    out.push(`<article class="incident sev-border-${inc.severity}" id="incident-${h(inc.id)}">
<h3>${badge(inc.severity)} ${h(inc.id)} · ${h(inc.title)}</h3>
${callBlock(call, inc.callId, inc.session)}
<pre class="cmd"><code>${escapeHtmlBlock(inc.command)}</code></pre>
${incidentBody(inc.count, span, members)}
</article>`);
  }
  const loose = report.violations.filter((v) => v.attribution && !inIncident.has(v.id));
  if (loose.length) {
    out.push('<h3>Other attributed violations</h3>');
    for (const v of loose) {
      out.push(`<article class="incident sev-border-${v.severity}">${callBlock(v.attribution, '', '')}
<pre class="cmd"><code>${escapeHtmlBlock(v.attribution!.command)}</code></pre><ol class="violations">${violationItem(v)}</ol></article>`);
    }
  }
  const unattributed = report.violations.filter((v) => !v.attribution);
  out.push('<h3>Unattributed violations</h3>');
  if (unattributed.length === 0) out.push('<p>None: every violation was attributed.</p>');
  else {
    out.push(`<ul class="unattributed">${unattributed.map((v) => {
      const best = v.candidates[0];
      const cand = best
        ? `${v.candidates.length} candidate(s) below the confidence threshold, best ${codeOf(best.callId)} at ${best.confidence.toFixed(2)}`
        : 'no candidate tool call';
      return `<li data-sev="${v.severity}">${badge(v.severity)} <strong>${h(v.id)}</strong> ${h(v.time)} · ${h(whatHappened(v))} · evidence ${codeOf(formatRef(v.ref))} · ${cand}</li>`;
    }).join('\n')}</ul>`);
  }
  out.push('</section>');
  return out.join('\n');
}

function violationsTable(report: Report): string {
  if (report.violations.length === 0) return '<section id="violations"><h2>Violations</h2><p>No violations.</p></section>';
  const rows = report.violations.map((v) => {
    const a = v.attribution;
    return `<tr id="row-${h(v.id)}" data-sev="${v.severity}"><td class="nowrap">${h(v.id)}</td><td class="nowrap">${h(v.time)}</td><td>${badge(v.severity)}</td><td>${h(v.action ?? '')}</td><td>${h(v.sandbox ?? v.host ?? '')}</td><td>${h(whatHappened(v, false))}${geoNote(v)}</td><td>${v.rules.map((r) => codeOf(r.id)).join(' ')}</td><td>${codeOf(formatRef(v.ref))}</td><td>${a ? `${codeOf(a.callId)}<div class="muted">${h(a.session)}</div>` : '<span class="muted">unattributed</span>'}</td><td class="num">${a ? a.confidence.toFixed(2) : ''}</td></tr>`;
  });
  return `<section id="violations"><h2>All violations</h2>
<div class="table-wrap"><table><thead><tr><th>ID</th><th>Time (UTC)</th><th>Severity</th><th>Action</th><th>Host / sandbox</th><th>What</th><th>Rules</th><th>Evidence</th><th>Caused by</th><th>Conf.</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

function externalSection(report: Report): string {
  const list = externalAddresses(report);
  if (list.length === 0) return '';
  const rows = list.map((a) => `<tr><td>${codeOf(a.ip)}</td><td>${h(a.country ?? '')}</td><td class="nowrap">${a.asn === undefined ? '' : `AS${a.asn}`}</td><td>${h(a.org ?? '')}</td><td>${a.role}</td><td>${h(idList(a.violations))}</td></tr>`);
  return `<section id="external"><h2>External addresses (GeoIP)</h2>
<div class="table-wrap"><table><thead><tr><th>Address</th><th>Country</th><th>AS number</th><th>AS organization</th><th>Seen as</th><th>Violations</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

function inputsSection(report: Report): string {
  const rows = report.inputs.map((i) => `<tr><td>${codeOf(i.path)}${(i.notes ?? []).map((n) => `<div class="muted">${h(n)}</div>`).join('')}</td><td>${h(i.format)}</td><td>${h(i.source)}</td><td class="num">${i.records}</td><td class="num">${i.skipped}</td><td class="nowrap">${h(i.first ?? '')}</td><td class="nowrap">${h(i.last ?? '')}</td><td><code class="hash">${h(i.sha256)}</code></td></tr>`);
  return `<section id="inputs"><h2>Inputs</h2>
${report.inputs.length === 0 ? '<p>No inputs.</p>' : `<div class="table-wrap"><table><thead><tr><th>Path</th><th>Format</th><th>Source</th><th>Records</th><th>Skipped</th><th>First</th><th>Last</th><th>SHA-256</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`}</section>`;
}

function clockSection(report: Report): string {
  const applied = report.clock.filter((c) => c.method !== 'none');
  const rows = applied.map((c) => `<tr><td>${codeOf(c.path)}</td><td class="num">${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs}</td><td>${h(c.method)}</td><td class="num">${c.pairs}</td><td class="num">${c.confidence.toFixed(2)}</td></tr>`);
  return `<section id="clock"><h2>Clock corrections</h2>
${applied.length === 0 ? '<p>No clock corrections were applied.</p>' : `<div class="table-wrap"><table><thead><tr><th>Path</th><th>Offset (ms)</th><th>Method</th><th>Pairs</th><th>Confidence</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`}</section>`;
}

function errorsSection(report: Report): string {
  const total = report.errorsTotal ?? report.errors.length;
  if (total === 0) return '<section id="errors"><h2>Errors</h2><p>No problems reading the inputs.</p></section>';
  const more = total > report.errors.length ? `<li class="muted">… ${total - report.errors.length} more (counted in the inputs' skipped column)</li>` : '';
  return `<section id="errors"><h2>Errors</h2><p>${total} record(s) could not be read:</p>
<ul>${report.errors.map((e) => `<li>${codeOf(formatRef(e))}: ${h(e.message)}</li>`).join('\n')}${more}</ul></section>`;
}

function settingsSection(report: Report): string {
  const entries = Object.entries(report.settings ?? {});
  if (entries.length === 0) return '';
  return `<section id="settings"><h2>Settings</h2><div class="table-wrap"><table><tbody>${entries.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v === null ? 'null' : String(v))}</td></tr>`).join('')}</tbody></table></div></section>`;
}

const SEV_COLOURS: Record<Severity, string> = {
  critical: '#7f1d1d', high: '#dc2626', medium: '#d97706', low: '#0284c7', info: '#6b7280',
};

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #111827; background: #f9fafb; margin: 0; }
main { max-width: 1360px; margin: 0 auto; padding: 20px 28px 40px; }
header h1 { font-size: 22px; margin: 0 0 2px; }
header .sub { color: #6b7280; margin: 0 0 12px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
code { background: #eef2f7; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
pre.cmd { background: #111827; color: #f9fafb; padding: 10px 12px; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0; }
pre.cmd code { background: none; padding: 0; color: inherit; }
.verdict p { margin: 4px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0 4px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card .k { color: #6b7280; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 24px; font-weight: 600; }
.card .v small { font-size: 13px; font-weight: 400; color: #4b5563; }
.badge { display: inline-block; white-space: nowrap; font-size: 11px; font-weight: 700; color: #fff; border-radius: 3px; padding: 1px 6px; letter-spacing: .03em; }
${SEVERITIES.map((s) => `.badge.sev-${s} { background: ${SEV_COLOURS[s]}; } .mark.sev-${s} { fill: ${SEV_COLOURS[s]}; } .link.sev-${s} { stroke: ${SEV_COLOURS[s]}; } .sev-border-${s} { border-left: 4px solid ${SEV_COLOURS[s]}; }`).join('\n')}
.controls { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin-bottom: 8px; }
.controls .hint { color: #6b7280; font-size: 12px; }
.controls input[type=range] { width: 160px; vertical-align: middle; }
.sev-toggle { cursor: pointer; }
#timeline { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; user-select: none; display: block; }
.lane-bg { fill: #ffffff; } .lane-bg.odd { fill: #f3f4f6; }
.lane-session .lane-bg { fill: #f5f3ff; } .lane-session .lane-bg.odd { fill: #ede9fe; }
.lane-label { font-size: 12px; fill: #374151; }
.tick { stroke: #d1d5db; stroke-width: 1; }
.tick-label { font-size: 11px; fill: #4b5563; }
.mark { stroke: #fff; stroke-width: 1.5; cursor: pointer; }
.mark.attributed { stroke: #111827; stroke-width: 2; }
.mark.selected { stroke: #2563eb; stroke-width: 3; }
.call.chosen { fill: #7c3aed; fill-opacity: .85; }
.call.candidate { fill: #c4b5fd; fill-opacity: .35; stroke: #7c3aed; stroke-dasharray: 3 2; }
.link { stroke-width: 1.5; stroke-dasharray: 4 3; fill: none; }
.selection { fill: #2563eb; fill-opacity: .12; stroke: #2563eb; }
.off { display: none; }
.legend { color: #4b5563; font-size: 12px; }
.lg { display: inline-block; width: 14px; height: 10px; margin: 0 4px 0 12px; vertical-align: middle; }
.lg-mark { background: #dc2626; border-radius: 50%; width: 10px; }
.lg-call { background: #7c3aed; } .lg-cand { background: #ddd6fe; border: 1px dashed #7c3aed; }
.lg-link { border-top: 2px dashed #6b7280; height: 0; }
.detail { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 12px; margin-top: 8px; min-height: 42px; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.detail dt { color: #6b7280; }
.detail dd { margin: 0; overflow-wrap: anywhere; }
.incident { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 4px 16px 10px; margin: 12px 0; }
dl.call { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dl.call dt { color: #6b7280; } dl.call dd { margin: 0; overflow-wrap: anywhere; }
ol.violations > li { margin: 6px 0; }
.meta { color: #374151; font-size: 13px; overflow-wrap: anywhere; }
.reasons { margin: 4px 0; color: #1f2937; }
table.members td ul.reasons { margin: 0; padding-left: 18px; }
table.members td details { font-size: 12.5px; }
p.why { margin: 8px 0 2px; font-weight: 600; }
.guide { margin: 10px 0 0; color: #374151; }
.guide summary { cursor: pointer; color: #1d4ed8; }
.guide p { max-width: 980px; }
.muted { color: #6b7280; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td code { overflow-wrap: break-word; }
.table-wrap { overflow-x: auto; }
thead th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
code.hash { font-size: 11px; overflow-wrap: anywhere; }
footer { color: #6b7280; font-size: 12px; margin-top: 32px; }
@media print { .controls, #detail { display: none; } body { background: #fff; } }
`;

// The page script. Static text: it never builds HTML from data, only elements with textContent.
const JS = `
(function () {
  'use strict';
  var root = document.documentElement;
  var dataEl = document.getElementById('af-data');
  var data = JSON.parse(dataEl.textContent || '{}');
  var svg = document.getElementById('timeline');
  var NS = 'http://www.w3.org/2000/svg';
  var hidden = {};
  function applyFilter() {
    var els = document.querySelectorAll('[data-sev]');
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (hidden[el.getAttribute('data-sev')]) el.classList.add('off'); else el.classList.remove('off');
    }
  }
  var boxes = document.querySelectorAll('.sev-filter');
  for (var b = 0; b < boxes.length; b++) {
    boxes[b].addEventListener('change', function (ev) {
      var box = ev.target;
      hidden[box.value] = !box.checked;
      applyFilter();
    });
  }
  if (!svg || !(data.t1 > data.t0)) { root.setAttribute('data-af-js', 'ready'); return; }
  var g = data.geometry;
  var full = [data.t0, data.t1];
  var view = [data.t0, data.t1];
  var zoom = document.getElementById('zoom');
  var pan = document.getElementById('pan');
  function x(t) { return g.gutter + (t - view[0]) / (view[1] - view[0]) * g.plotW; }
  function pad2(n, w) { var s = String(n); while (s.length < (w || 2)) s = '0' + s; return s; }
  var STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5];
  function label(t, step, first) {
    var d = new Date(t);
    var clock = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    if (step < 6e4) clock += ':' + pad2(d.getUTCSeconds());
    if (step < 1e3) clock += '.' + pad2(d.getUTCMilliseconds(), 3);
    var date = d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
    return first || step >= 864e5 ? date + ' ' + clock : clock;
  }
  function drawAxis() {
    var axis = document.getElementById('axis');
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    var span = view[1] - view[0];
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= 10) { step = STEPS[i]; break; } }
    var first = true;
    for (var t = Math.ceil(view[0] / step) * step; t <= view[1]; t += step) {
      var px = x(t).toFixed(1);
      var line = document.createElementNS(NS, 'line');
      line.setAttribute('class', 'tick');
      line.setAttribute('x1', px); line.setAttribute('x2', px);
      line.setAttribute('y1', String(g.axis - 6)); line.setAttribute('y2', String(g.height - g.bottom));
      axis.appendChild(line);
      var text = document.createElementNS(NS, 'text');
      text.setAttribute('class', 'tick-label');
      text.setAttribute('x', px); text.setAttribute('y', String(g.axis - 10));
      text.setAttribute('text-anchor', 'middle');
      text.textContent = label(t, step, first);
      axis.appendChild(text);
      first = false;
    }
  }
  function layout() {
    var marks = svg.querySelectorAll('[data-t]');
    for (var i = 0; i < marks.length; i++) marks[i].setAttribute('cx', x(Number(marks[i].getAttribute('data-t'))).toFixed(1));
    var spans = svg.querySelectorAll('rect[data-t0]');
    for (var j = 0; j < spans.length; j++) {
      var x0 = x(Number(spans[j].getAttribute('data-t0')));
      var x1 = x(Number(spans[j].getAttribute('data-t1')));
      spans[j].setAttribute('x', x0.toFixed(1));
      spans[j].setAttribute('width', Math.max(4, x1 - x0).toFixed(1));
    }
    var links = svg.querySelectorAll('line[data-t0]');
    for (var k = 0; k < links.length; k++) {
      links[k].setAttribute('x1', x(Number(links[k].getAttribute('data-t0'))).toFixed(1));
      links[k].setAttribute('x2', x(Number(links[k].getAttribute('data-t1'))).toFixed(1));
    }
    drawAxis();
    svg.setAttribute('data-view', Math.round(view[0]) + '-' + Math.round(view[1]));
  }
  function setView(a, b) {
    var w = full[1] - full[0];
    var minW = Math.min(w, 200);
    if (b - a < minW) { var c = (a + b) / 2; a = c - minW / 2; b = c + minW / 2; }
    if (a < full[0]) { b += full[0] - a; a = full[0]; }
    if (b > full[1]) { a -= b - full[1]; b = full[1]; }
    view = [Math.max(a, full[0]), Math.min(b, full[1])];
    var factor = w / (view[1] - view[0]);
    zoom.value = String(Math.round(Math.log(factor) / Math.LN2 * 10));
    var centre = (view[0] + view[1]) / 2;
    pan.value = String(Math.round((centre - full[0]) / w * 1000));
    layout();
  }
  function fromSliders() {
    var w = full[1] - full[0];
    var vw = w / Math.pow(2, Number(zoom.value) / 10);
    var centre = full[0] + Number(pan.value) / 1000 * w;
    var a = centre - vw / 2;
    var b = centre + vw / 2;
    if (a < full[0]) { b += full[0] - a; a = full[0]; }
    if (b > full[1]) { a -= b - full[1]; b = full[1]; }
    view = [a, b];
    layout();
  }
  zoom.addEventListener('input', fromSliders);
  pan.addEventListener('input', fromSliders);
  document.getElementById('reset').addEventListener('click', function () { setView(full[0], full[1]); });
  function svgX(ev) {
    var pt = svg.createSVGPoint();
    pt.x = ev.clientX; pt.y = ev.clientY;
    var m = svg.getScreenCTM();
    return m ? pt.matrixTransform(m.inverse()).x : 0;
  }
  var sel = document.getElementById('selection');
  var dragFrom = null;
  svg.addEventListener('mousedown', function (ev) {
    var px = svgX(ev);
    if (px < g.gutter || ev.button !== 0) return;
    dragFrom = px;
    sel.setAttribute('x', String(px)); sel.setAttribute('width', '0');
    sel.setAttribute('visibility', 'visible');
    ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (dragFrom === null) return;
    var px = Math.min(Math.max(svgX(ev), g.gutter), g.gutter + g.plotW);
    sel.setAttribute('x', String(Math.min(px, dragFrom)));
    sel.setAttribute('width', String(Math.abs(px - dragFrom)));
  });
  window.addEventListener('mouseup', function (ev) {
    if (dragFrom === null) return;
    var px = Math.min(Math.max(svgX(ev), g.gutter), g.gutter + g.plotW);
    var a = Math.min(px, dragFrom), b = Math.max(px, dragFrom);
    dragFrom = null;
    sel.setAttribute('visibility', 'hidden');
    if (b - a < 5) return;
    var t = function (p) { return view[0] + (p - g.gutter) / g.plotW * (view[1] - view[0]); };
    setView(t(a), t(b));
  });
  var byId = {};
  for (var v = 0; v < data.violations.length; v++) byId[data.violations[v].id] = data.violations[v];
  var detail = document.getElementById('detail');
  function show(id) {
    var item = byId[id];
    if (!item) return;
    while (detail.firstChild) detail.removeChild(detail.firstChild);
    var dl = document.createElement('dl');
    function row(k, val) {
      if (val === null || val === undefined || val === '') return;
      var dt = document.createElement('dt'); dt.textContent = k;
      var dd = document.createElement('dd'); dd.textContent = String(val);
      dl.appendChild(dt); dl.appendChild(dd);
    }
    row('Violation', item.id + ' · ' + item.severity + ' · ' + item.time);
    row('What', item.what);
    row('Network (GeoIP)', item.network);
    row('Where', item.where);
    row('Evidence', item.ref);
    row('Rules', item.rules.join('; '));
    row('Caused by', item.call || 'unattributed');
    row('Command', item.command);
    if (item.confidence !== null) row('Confidence', item.confidence.toFixed(2) + ' (Δ ' + item.delta + ')');
    detail.appendChild(dl);
    var marks = svg.querySelectorAll('.mark');
    for (var i = 0; i < marks.length; i++) {
      if (marks[i].getAttribute('data-id') === id) marks[i].classList.add('selected'); else marks[i].classList.remove('selected');
    }
  }
  svg.addEventListener('click', function (ev) {
    var target = ev.target;
    if (target && target.getAttribute && target.getAttribute('data-id')) show(target.getAttribute('data-id'));
  });
  svg.addEventListener('keydown', function (ev) {
    var target = ev.target;
    if ((ev.key === 'Enter' || ev.key === ' ') && target.getAttribute && target.getAttribute('data-id')) show(target.getAttribute('data-id'));
  });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') setView(full[0], full[1]); });
  layout();
  root.setAttribute('data-af-js', 'ready');
})();
`;

export const htmlRenderer: ReportRenderer = {
  name: 'html',
  description: 'one self-contained HTML page: verdict, interactive timeline, incident narratives, evidence (works offline)',
  async render(report) {
    const byId = new Map(report.violations.map((v) => [v.id, v]));
    const tl = layoutTimeline(report);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>agent-forensics report</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>agent-forensics report</h1>
<p class="sub">${h(report.tool.name)} ${h(report.tool.version)} · ${report.inputs.length} input(s) · ${report.stats.events} events analysed · times in UTC</p>
</header>
${verdict(report)}
${timelineSection(report, tl)}
${incidentsSection(report, byId)}
${violationsTable(report)}
${externalSection(report)}
${inputsSection(report)}
${clockSection(report)}
${errorsSection(report)}
${settingsSection(report)}
<footer>Generated by ${h(report.tool.name)} ${h(report.tool.version)} (${h(report.schema)}). Self-contained: no network access needed.</footer>
</main>
<script type="application/json" id="af-data">${jsonForScript(scriptData(report, tl))}</script>
<script>${JS}</script>
</body>
</html>
`;
  },
};
