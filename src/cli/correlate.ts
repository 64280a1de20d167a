// `agent-forensics correlate`: the main job. Report to stdout or -o; exit 1 on --fail-on.
import { Command } from 'commander';
import { severityRank } from '../model/event.js';
import { analyze } from '../pipeline.js';
import { RENDERERS, rendererByName } from '../report/registry.js';
import { addAnalysisFlags, formatOption } from './analysis-flags.js';
import { parseSeverity, toAnalysisOptions } from './options.js';
import { progressReporter, summaryLine, wantsColor, writeOutput } from './output.js';

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
      const options = { ...toAnalysisOptions(paths, flags), onProgress: progressReporter(flags, paths) };
      const { report } = await analyze(options);
      const renderer = rendererByName(flags.format)!;
      await writeOutput(await renderer.render(report, { color: wantsColor(flags), width: process.stdout.columns }), flags.output);
      if (!flags.quiet && (flags.output || flags.format !== 'table')) {
        process.stderr.write(`${summaryLine(report, performance.now() - started, flags.output)}\n`);
      }
      if (failOn && report.violations.some((v) => v.attribution && severityRank(v.severity) >= severityRank(failOn))) setExitCode(1);
    });
  return cmd;
}
