// `agent-forensics timeline`: the merged, clock-corrected timeline of every event, no attribution.
import { Command } from 'commander';
import { analyze } from '../pipeline.js';
import { renderTimeline, TIMELINE_FORMATS, type TimelineFormat } from '../report/timeline.js';
import { addAnalysisFlags, formatOption } from './analysis-flags.js';
import { toAnalysisOptions } from './options.js';
import { progressReporter, writeOutput } from './output.js';

export function timelineCommand(): Command {
  const cmd = new Command('timeline')
    .description('the merged, clock-corrected timeline of all inputs (table, jsonl, csv, or Timesketch JSONL)')
    .argument('<path...>', 'input files or folders (read recursively); - for standard input');
  addAnalysisFlags(cmd)
    .addOption(formatOption(TIMELINE_FORMATS, 'table'))
    .action(async (paths: string[], flags) => {
      const options = { ...toAnalysisOptions(paths, flags), keepEvents: true, onProgress: progressReporter(flags) };
      const { events } = await analyze(options);
      await writeOutput(await renderTimeline(events ?? [], flags.format as TimelineFormat), flags.output);
    });
  return cmd;
}
