// --format table: what a responder reads in a terminal. Every log-derived string goes through
// stripTerminalControls, so a log line cannot move the cursor, recolour or retitle the terminal.
import { Chalk } from 'chalk';
import { formatRef, type Severity } from '../model/event.js';
import type { Report, Violation } from '../model/report.js';
import { stripTerminalControls } from './escape.js';
import { listedSentence } from './md.js';
import { externalAddresses, geoLabel, geoTag, idList, remoteGeoTag, reportHasGeo } from './geo.js';
import type { RenderOptions, ReportRenderer } from './renderer.js';

type Paint = InstanceType<typeof Chalk>;

const SEVERITY_LABEL: Record<Severity, string> = { info: 'INFO', low: 'LOW', medium: 'MED', high: 'HIGH', critical: 'CRIT' };

function severityPaint(c: Paint, s: Severity): (t: string) => string {
  switch (s) {
    case 'critical': return (t) => c.bold.red(t);
    case 'high': return (t) => c.red(t);
    case 'medium': return (t) => c.yellow(t);
    case 'low': return (t) => c.cyan(t);
    default: return (t) => c.gray(t);
  }
}

const safe = (v: unknown): string => stripTerminalControls(v === undefined || v === null ? '' : String(v));

function fit(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text + ' '.repeat(width - chars.length);
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

export function endpoint(e: { ip?: string; port?: number; domain?: string } | undefined): string {
  if (!e) return '';
  const host = e.domain && e.ip ? `${e.domain}(${e.ip})` : e.domain ?? e.ip ?? '';
  return e.port === undefined ? host : `${host}:${e.port}`;
}

/**
 * One short line for what the violation was: a flow, or an audit operation. With `geo`, an endpoint
 * enriched by --geoip is followed by its `[NL/AS64500]` tag.
 */
export function whatHappened(v: Violation, geo = true): string {
  if (v.source === 'audit') return [v.operation, v.errorCode && `(${v.errorCode})`, v.actor && `by ${v.actor}`].filter(Boolean).join(' ');
  const side = (e: Violation['src']): string => {
    const tag = geo ? geoTag(e) : '';
    return tag ? `${endpoint(e)} [${tag}]` : endpoint(e);
  };
  const flow = `${side(v.src)} → ${side(v.dst)}`;
  return v.proto ? `${v.proto} ${flow}` : flow;
}

interface Column {
  title: string;
  width: number;
}

const COLUMNS: readonly Column[] = [
  { title: 'ID', width: 5 },
  { title: 'TIME (UTC)', width: 24 },
  { title: 'SEV', width: 4 },
  { title: 'ACTION', width: 6 },
  { title: 'WHAT', width: 46 },
  { title: 'RULE', width: 26 },
  { title: 'CAUSED BY', width: 24 },
  { title: 'CONF', width: 4 },
];

// With --geoip, the remote side's `NL/AS64500` gets its own column right after WHAT, so the
// truncated WHAT text never hides it.
const GEO_COLUMN: Column = { title: 'GEO', width: 14 };
const GEO_AT = 5;

function columnsFor(report: Report): readonly Column[] {
  return reportHasGeo(report) ? [...COLUMNS.slice(0, GEO_AT), GEO_COLUMN, ...COLUMNS.slice(GEO_AT)] : COLUMNS;
}

function row(cells: string[], columns: readonly Column[]): string {
  return cells.map((cell, i) => fit(cell, columns[i]!.width)).join('  ').trimEnd();
}

function violationRow(v: Violation, withGeo: boolean): string[] {
  const a = v.attribution;
  const cells = [
    v.id, v.time, SEVERITY_LABEL[v.severity], safe(v.action), safe(whatHappened(v, false)),
    safe(v.rules[0]?.id ?? ''), a ? safe(a.callId) : '-', a ? a.confidence.toFixed(2) : '',
  ];
  if (withGeo) cells.splice(GEO_AT, 0, safe(remoteGeoTag(v)));
  return cells;
}

function renderViolations(report: Report, c: Paint, out: string[]): void {
  out.push(c.bold(`Violations (${report.violations.length})`));
  if (report.violations.length === 0) {
    out.push('  none');
    return;
  }
  const columns = columnsFor(report);
  out.push(c.dim(row(columns.map((col) => col.title), columns)));
  for (const v of report.violations) {
    out.push(severityPaint(c, v.severity)(row(violationRow(v, columns.length > COLUMNS.length), columns)));
  }
}

function renderExternal(report: Report, c: Paint, out: string[]): void {
  const list = externalAddresses(report);
  if (list.length === 0) return;
  out.push('', c.bold(`External addresses (${list.length}, GeoIP)`));
  const ipWidth = Math.min(39, Math.max(...list.map((a) => [...safe(a.ip)].length)));
  for (const a of list) {
    out.push(`  ${fit(safe(a.ip), ipWidth)}  ${safe(geoLabel(a))}  ${c.dim(`${a.role}, ${idList(a.violations)}`)}`);
  }
}

function renderAttributions(report: Report, c: Paint, out: string[]): void {
  const attributed = report.violations.filter((v) => v.attribution);
  if (attributed.length === 0) return;
  out.push('', c.bold('Evidence'));
  for (const v of attributed) {
    const a = v.attribution!;
    const delta = `${a.deltaMs >= 0 ? '+' : ''}${(a.deltaMs / 1000).toFixed(1)}s`;
    out.push(`${c.bold(v.id)} ${safe(formatRef(v.ref))}  ←  ${c.bold(safe(a.callId))} in session ${safe(a.session)} (${safe(a.tool)}, ${safe(formatRef(a.ref))}, Δ ${delta}, confidence ${a.confidence.toFixed(2)})`);
    out.push(`    $ ${safe(a.command).slice(0, 200)}`);
    for (const reason of a.reasons) out.push(`    - ${safe(reason)}`);
  }
}

function renderIncidents(report: Report, c: Paint, out: string[]): void {
  if (report.incidents.length === 0) return;
  out.push('', c.bold(`Incidents (${report.incidents.length})`));
  for (const i of report.incidents) {
    const span = i.first === i.last ? i.first : `${i.first} … ${i.last}`;
    out.push(severityPaint(c, i.severity)(`${i.id} ${SEVERITY_LABEL[i.severity]} ${safe(i.title)}: ${i.count} violation(s), ${span}`));
    out.push(`    ${safe(i.callId)} in session ${safe(i.session)}: ${safe(i.command).slice(0, 160)}`);
  }
}

function renderSummary(report: Report, c: Paint, out: string[]): void {
  const s = report.stats;
  const records = report.inputs.reduce((n, i) => n + i.records, 0);
  const skipped = report.inputs.reduce((n, i) => n + i.skipped, 0);
  out.push('', c.bold('Summary'));
  out.push(`  inputs ${report.inputs.length}, records ${records}, skipped ${skipped}, events analysed ${s.events}`);
  out.push(`  violations ${s.violations}, attributed ${s.attributed}, unattributed ${s.unattributed}, incidents ${report.incidents.length}`);
  const over = s.overRepresentation === null ? 'n/a' : `${s.overRepresentation.toFixed(2)}×`;
  const p = s.pValue === null ? 'n/a' : s.pValue < 1e-4 ? s.pValue.toExponential(1) : s.pValue.toFixed(4);
  out.push(`  agents active ${(s.agentActiveFraction * 100).toFixed(1)}% of the time; violations over-represented ${over} during activity (p = ${p})`);
  if (report.listed) out.push(c.yellow(`  ${listedSentence(report.listed)}`));
  for (const clock of report.clock.filter((k) => k.method !== 'none')) {
    out.push(`  clock: ${safe(clock.path)} shifted ${clock.offsetMs >= 0 ? '+' : ''}${clock.offsetMs} ms (${clock.method}, ${clock.pairs} pair(s))`);
  }
  const errors = report.errorsTotal ?? report.errors.length;
  if (errors > 0) {
    out.push(c.yellow(`  ${errors} problem(s) reading the inputs:`));
    for (const e of report.errors.slice(0, 10)) out.push(`    ${safe(formatRef(e))}: ${safe(e.message)}`);
    if (errors > 10) out.push(`    … ${errors - 10} more in --format json`);
  }
}

export const tableRenderer: ReportRenderer = {
  name: 'table',
  description: 'terminal table of violations with their causes, evidence and a summary',
  async render(report: Report, options: RenderOptions) {
    const c = new Chalk({ level: options.color ? 1 : 0 });
    const out: string[] = [];
    renderViolations(report, c, out);
    renderAttributions(report, c, out);
    renderIncidents(report, c, out);
    renderExternal(report, c, out);
    renderSummary(report, c, out);
    return out.join('\n') + '\n';
  },
};
