// --format md: a Markdown report to paste into a ticket. Every log-derived string goes through
// escapeMarkdown / markdownCode / markdownFence, so a log line cannot add links, images, HTML,
// table cells or headings. Formatting helpers shared with the html report live here too.
import { formatRef, SEVERITIES, type Severity } from '../model/event.js';
import type { Attribution, Report, Violation } from '../model/report.js';
import { escapeMarkdown as md, markdownCode as code, markdownFence } from './escape.js';
import type { ReportRenderer } from './renderer.js';
import { externalAddresses, idList } from './geo.js';
import { whatHappened } from './table.js';

/** Severities from the worst down, for summaries. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

/** How many incidents (or any items with a severity) there are per severity, worst first, zeros left out. */
export function countBySeverity(items: readonly { severity: Severity }[]): { severity: Severity; count: number }[] {
  return SEVERITIES_DESC.map((severity) => ({ severity, count: items.filter((i) => i.severity === severity).length }))
    .filter((c) => c.count > 0);
}

/** `+1.2 s` / `-0.4 s` / `+2 min 5 s`: a signed offset for people. */
export function formatDeltaMs(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const min = Math.floor(abs / 60_000);
  const s = Math.round((abs % 60_000) / 1000);
  return `${sign}${min} min${s ? ` ${s} s` : ''}`;
}

export function formatPValue(p: number | null): string {
  if (p === null) return 'n/a';
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

export function formatOverRepresentation(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(2)}×`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** The one-paragraph verdict both human reports open with (plain text, no log-derived strings). */
/** Said wherever a human report lists only part of the violations. */
export function listedSentence(listed: { shown: number; total: number }): string {
  return `Only the first ${listed.shown} of ${listed.total} violations are listed one by one in this report; the counts and statistics cover all of them, and --format json, jsonl or csv lists every one.`;
}

export function verdictSentences(report: Report): string[] {
  const s = report.stats;
  const bySev = countBySeverity(report.incidents).map((c) => `${c.count} ${c.severity}`).join(', ');
  const incidents = `${report.incidents.length} incident${report.incidents.length === 1 ? '' : 's'}${bySev ? ` (${bySev})` : ''}`;
  const out = [
    `${s.violations} violation${s.violations === 1 ? '' : 's'}, ${s.attributed} attributed to an agent tool call, ${s.unattributed} unattributed; ${incidents}.`,
  ];
  if (s.overRepresentation === null) {
    out.push(`Agents were executing tools ${formatPercent(s.agentActiveFraction)} of the analysed time; over-representation is undefined for this data.`);
  } else {
    out.push(`Violations were over-represented ${formatOverRepresentation(s.overRepresentation)} while agents were executing tools (one-sided binomial p = ${formatPValue(s.pValue)}); agents were active ${formatPercent(s.agentActiveFraction)} of the analysed time.`);
  }
  if (report.listed) out.push(listedSentence(report.listed));
  return out;
}

const SEV_LABEL: Record<Severity, string> = { info: 'INFO', low: 'LOW', medium: 'MEDIUM', high: 'HIGH', critical: 'CRITICAL' };

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`),
  ];
}

function callLine(a: Attribution, inTable = false): string {
  return `${code(a.callId, inTable)} (${md(a.tool)}) in session ${code(a.session, inTable)}`;
}

function summary(report: Report, out: string[]): void {
  const s = report.stats;
  out.push('## Verdict', '');
  for (const line of verdictSentences(report)) out.push(line, '');
  const rows: string[][] = [
    ['Events analysed', String(s.events)],
    ['Violations', String(s.violations)],
    ['Attributed / unattributed', `${s.attributed} / ${s.unattributed}`],
    ['Incidents by severity', countBySeverity(report.incidents).map((c) => `${c.severity} ${c.count}`).join(', ') || 'none'],
    ['Over-representation during agent activity', `${formatOverRepresentation(s.overRepresentation)} (p = ${formatPValue(s.pValue)})`],
    ['Agent active fraction', formatPercent(s.agentActiveFraction)],
  ];
  if (s.toolCalls !== undefined) rows.push(['Tool calls', String(s.toolCalls)]);
  if (s.violationsDuringActivity !== undefined) rows.push(['Violations during agent activity', String(s.violationsDuringActivity)]);
  out.push(...table(['Measure', 'Value'], rows), '');
}

function inputs(report: Report, out: string[]): void {
  out.push('## Inputs', '');
  if (report.inputs.length === 0) {
    out.push('No inputs.', '');
    return;
  }
  out.push(...table(['Path', 'Format', 'Source', 'Records', 'Skipped', 'First', 'Last', 'SHA-256'], report.inputs.map((i) => [
    code(i.path, true), md(i.format), md(i.source), String(i.records), String(i.skipped),
    md(i.first ?? ''), md(i.last ?? ''), code(i.sha256, true),
  ])), '');
  const notes = report.inputs.flatMap((i) => (i.notes ?? []).map((n) => `- ${code(i.path)}: ${md(n)}`));
  if (notes.length) out.push('Notes:', '', ...notes, '');
}

function clock(report: Report, out: string[]): void {
  out.push('## Clock corrections', '');
  const applied = report.clock.filter((c) => c.method !== 'none');
  if (applied.length === 0) {
    out.push('No clock corrections were applied.', '');
    return;
  }
  out.push(...table(['Path', 'Offset (ms)', 'Method', 'Pairs', 'Confidence'], applied.map((c) => [
    code(c.path, true), `${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs}`, c.method, String(c.pairs), c.confidence.toFixed(2),
  ])), '');
}

function incidents(report: Report, byId: Map<string, Violation>, out: string[]): void {
  out.push('## Incidents', '');
  if (report.incidents.length === 0) {
    out.push('No incidents.', '');
    return;
  }
  for (const inc of report.incidents) {
    const members = inc.violations.map((id) => byId.get(id)).filter((v): v is Violation => v !== undefined);
    const call = members.map((v) => v.attribution).find((a) => a && a.callId === inc.callId && a.session === inc.session) ?? null;
    out.push(`### ${inc.id} · ${SEV_LABEL[inc.severity]} · ${md(inc.title)}`, '');
    if (call) {
      out.push(`- **Tool call:** ${callLine(call)}, started ${md(call.time)}${call.timePrecision ? ` (time precision: ${md(call.timePrecision)})` : ''}`);
      out.push(`- **Transcript:** ${code(formatRef(call.ref))}`);
    } else {
      out.push(`- **Tool call:** ${code(inc.callId)} in session ${code(inc.session)}`);
    }
    const span = inc.first === inc.last ? md(inc.first) : `${md(inc.first)} to ${md(inc.last)}`;
    out.push(`- **Violations:** ${inc.count}, ${span}`, '');
    out.push('Command:', '', markdownFence(inc.command, 'sh'), '');
    if (members.length) {
      out.push(...table(['Violation', 'Time (UTC)', 'Severity', 'What', 'Evidence', 'Δ', 'Confidence'], members.map((v) => [
        `**${md(v.id)}**`, md(v.time), v.severity, md(whatHappened(v)), code(formatRef(v.ref), true),
        v.attribution ? md(formatDeltaMs(v.attribution.deltaMs)) : '', v.attribution ? v.attribution.confidence.toFixed(2) : '',
      ])), '');
    }
  }
}

function violations(report: Report, out: string[]): void {
  out.push('## Violations', '');
  if (report.violations.length === 0) {
    out.push('No violations.', '');
    return;
  }
  out.push(...table(['ID', 'Time (UTC)', 'Severity', 'Action', 'Host', 'What', 'Rules', 'Evidence', 'Caused by', 'Confidence'], report.violations.map((v) => [
    md(v.id), md(v.time), v.severity, md(v.action ?? ''), md(v.host ?? v.sandbox ?? ''), md(whatHappened(v)),
    v.rules.map((r) => md(r.id)).join(', '), code(formatRef(v.ref), true),
    v.attribution ? `${code(v.attribution.callId, true)} (${code(v.attribution.session, true)})` : 'unattributed',
    v.attribution ? v.attribution.confidence.toFixed(2) : '',
  ])), '');
}

function external(report: Report, out: string[]): void {
  const list = externalAddresses(report);
  if (list.length === 0) return;
  out.push('## External addresses', '', 'Country and network owner of each external address, from the --geoip databases.', '');
  out.push(...table(['Address', 'Country', 'AS number', 'AS organization', 'Seen as', 'Violations'], list.map((a) => [
    code(a.ip, true), md(a.country ?? ''), a.asn === undefined ? '' : `AS${a.asn}`, md(a.org ?? ''), a.role, md(idList(a.violations)),
  ])), '');
}

function evidence(report: Report, out: string[]): void {
  const attributed = report.violations.filter((v) => v.attribution);
  out.push('## Why each attribution was made', '');
  if (attributed.length === 0) {
    out.push('No violation was attributed to a tool call.', '');
    return;
  }
  for (const v of attributed) {
    const a = v.attribution!;
    out.push(`### ${md(v.id)} ← ${md(a.callId)}`, '');
    out.push(`- **Violation:** ${md(v.time)}, ${v.severity}, ${md(whatHappened(v))}; evidence ${code(formatRef(v.ref))}`);
    if (v.rules.length) out.push(`- **Rules:** ${v.rules.map((r) => `${md(r.id)} (${md(r.title)})`).join('; ')}`);
    out.push(`- **Tool call:** ${callLine(a)}, started ${md(a.time)}; transcript ${code(formatRef(a.ref))}`);
    out.push(`- **Δ** ${md(formatDeltaMs(a.deltaMs))} after the call started; **confidence** ${a.confidence.toFixed(2)}`, '');
    out.push(markdownFence(a.command, 'sh'), '');
    if (a.reasons.length) out.push('Reasons:', '', ...a.reasons.map((r) => `- ${md(r)}`), '');
    const others = v.candidates.filter((c) => !(c.callId === a.callId && c.session === a.session));
    if (others.length) {
      out.push('Other candidates considered:', '');
      for (const c of others) out.push(`- ${callLine(c)}: confidence ${c.confidence.toFixed(2)}, Δ ${md(formatDeltaMs(c.deltaMs))}`);
      out.push('');
    }
  }
}

function unattributed(report: Report, out: string[]): void {
  const rest = report.violations.filter((v) => !v.attribution);
  out.push('## Unattributed violations', '');
  if (rest.length === 0) {
    out.push('None: every violation was attributed.', '');
    return;
  }
  for (const v of rest) {
    const best = v.candidates[0];
    const cand = best
      ? `; ${v.candidates.length} candidate(s) below the confidence threshold, best ${code(best.callId)} at ${best.confidence.toFixed(2)}`
      : '; no candidate tool call';
    out.push(`- **${md(v.id)}** ${md(v.time)} ${v.severity} ${md(whatHappened(v))} (${code(formatRef(v.ref))})${cand}`);
  }
  out.push('');
}

function errors(report: Report, out: string[]): void {
  const total = report.errorsTotal ?? report.errors.length;
  out.push('## Errors', '');
  if (total === 0) {
    out.push('No problems reading the inputs.', '');
    return;
  }
  out.push(`${total} record(s) could not be read:`, '');
  for (const e of report.errors) out.push(`- ${code(formatRef(e))}: ${md(e.message)}`);
  if (total > report.errors.length) out.push(`- … ${total - report.errors.length} more (counted in the inputs' skipped column)`);
  out.push('');
}

function settings(report: Report, out: string[]): void {
  const entries = Object.entries(report.settings ?? {});
  if (entries.length === 0) return;
  out.push('## Settings', '');
  out.push(...table(['Setting', 'Value'], entries.map(([k, val]) => [md(k), md(val === null ? 'null' : String(val))])), '');
}

export const mdRenderer: ReportRenderer = {
  name: 'md',
  description: 'Markdown report for tickets: verdict, incidents with their tool calls, violations, evidence',
  async render(report) {
    const byId = new Map(report.violations.map((v) => [v.id, v]));
    const out: string[] = ['# agent-forensics report', ''];
    summary(report, out);
    inputs(report, out);
    clock(report, out);
    incidents(report, byId, out);
    violations(report, out);
    external(report, out);
    evidence(report, out);
    unattributed(report, out);
    errors(report, out);
    settings(report, out);
    out.push('---', '', `Generated by ${md(report.tool.name)} ${md(report.tool.version)} (${md(report.schema)}).`);
    return out.join('\n') + '\n';
  },
};
