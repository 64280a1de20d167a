// `agent-forensics correlate`: the main job. Report to stdout or -o; exit 1 on --fail-on.
import { Command } from 'commander';
import { severityRank, type Severity } from '../model/event.js';
import type { Report } from '../model/report.js';
import { analyze } from '../pipeline.js';
import { RENDERERS, rendererByName } from '../report/registry.js';
import { addAnalysisFlags, formatOption } from './analysis-flags.js';
import { parseSeverity, toAnalysisOptions } from './options.js';
import { progressReporter, StreamedReport, stepReporter, streamsTo, summaryLine, wantsColor, writeOutput } from './output.js';

/** Violations the human formats (table, md, html) describe one by one. */
export const MAX_LISTED = 10_000;

export function forPeople(report: Report): Report {
  // stats.violations counts them all; report.violations may hold only the first ones (the rest spilled).
  if (report.stats.violations <= MAX_LISTED) return report;
  const listed = new Set(report.violations.slice(0, MAX_LISTED).map((v) => v.id));
  return {
    ...report,
    violations: report.violations.slice(0, MAX_LISTED),
    incidents: report.incidents.map((i) => ({ ...i, violations: i.violations.filter((id) => listed.has(id)) })),
    listed: { shown: MAX_LISTED, total: report.stats.violations },
  };
}

/** Does an attributed violation reach `failOn`? Each one belongs to an incident rated by its most severe member. */
export function reachesFailOn(report: Report, failOn: Severity): boolean {
  return report.incidents.some((i) => severityRank(i.severity) >= severityRank(failOn));
}

export function correlateCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('correlate')
    .description('attribute firewall, flow and audit violations to the agent tool calls that caused them')
    .argument('<path...>', 'input files or folders (read recursively); - for standard input');
  addAnalysisFlags(cmd)
    .option('--min-confidence <0..1>', 'lowest confidence reported as an attribution', '0.5')
    .addOption(formatOption(RENDERERS.map((r) => r.name), 'table'))
    .option('--fail-on <severity>', 'exit 1 when an attributed violation has this severity or higher')
    .action(async (paths: string[], flags) => {
      const started = performance.now();
      const failOn = parseSeverity('--fail-on', flags.failOn);
      const renderer = rendererByName(flags.format)!;
      // The human formats list the first MAX_LISTED violations: the others need not be kept.
      const listed = renderer.chunks ? {} : { violationsListed: MAX_LISTED };
      // A machine format that streams (json, jsonl, csv) gets its violations as they are built, in the
      // -o file or on standard output (a flood's millions need not wait on disk); the others get
      // the finished report.
      const target = renderer.stream ? streamsTo(flags.output) : undefined;
      const sink = target ? new StreamedReport(renderer.stream!(), target.path) : undefined;
      const options = { ...toAnalysisOptions(paths, flags), ...listed, ...(sink ? { violationSink: sink } : {}), onProgress: progressReporter(flags, paths), onStep: stepReporter(flags) };
      const renderOptions = { color: wantsColor(flags), width: process.stdout.columns };
      let report: Report;
      try {
        const analysis = await analyze(options);
        report = analysis.report;
        // Machine formats stream (a report may hold millions of violations, some read back from disk);
        // the human ones list the first MAX_LISTED in detail and say how many more there are (counts and
        // statistics stay complete).
        try {
          if (sink) sink.end(report);
          else await writeOutput(renderer.chunks ? renderer.chunks(report, renderOptions, analysis.spilled) : await renderer.render(forPeople(report), renderOptions), flags.output);
        } finally {
          analysis.spilled?.dispose();
        }
      } catch (err) {
        // whether the analysis or the writing failed, an unfinished streamed report goes
        sink?.abort();
        throw err;
      }
      if (!flags.quiet && (flags.output || flags.format !== 'table')) {
        process.stderr.write(`${summaryLine(report, performance.now() - started, flags.output)}\n`);
      }
      if (failOn && reachesFailOn(report, failOn)) setExitCode(1);
    });
  return cmd;
}
