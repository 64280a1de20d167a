// `agent-forensics timeline`: the merged, clock-corrected timeline of every event, no attribution.
// A first pass settles the clocks (manual and estimated offsets); the second streams every input
// again, sorted with bounded memory, into the output. Standard input cannot be read twice, so with
// `-` the timeline is built in memory from the first pass.
import { Command } from 'commander';
import { analyze, timelineEvents, timelineLines } from '../pipeline.js';
import type { ForensicEvent } from '../model/event.js';
import { lineFormatter, TIMELINE_FORMATS, writeLines, writeTimeline, type TimelineFormat } from '../report/timeline.js';
import { addAnalysisFlags, formatOption } from './analysis-flags.js';
import { toAnalysisOptions } from './options.js';
import { progressReporter, stepping, stepReporter, writeOutput } from './output.js';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { InputError } from '../model/errors.js';
import { resolveInputs } from '../ingest/read.js';

async function* fromArray(events: ForensicEvent[]): AsyncGenerator<ForensicEvent> {
  yield* events;
}

export function timelineCommand(): Command {
  const cmd = new Command('timeline')
    .description('the merged, clock-corrected timeline of all inputs (table, jsonl, csv, or Timesketch JSONL)')
    .argument('<path...>', 'input files or folders (read recursively); - for standard input');
  addAnalysisFlags(cmd)
    .addOption(formatOption(TIMELINE_FORMATS, 'table'))
    .action(async (paths: string[], flags) => {
      // Standard input and pipes cannot be read a second time.
      const usesStdin = (await resolveInputs(paths)).sources.some((s) => s.isStdin || s.isStream === true);
      // The first pass settles the clocks; the timeline has no use for violations.
      const options = { ...toAnalysisOptions(paths, flags), keepEvents: usesStdin, clocksOnly: true, onProgress: progressReporter(flags, paths), onStep: stepReporter(flags) };
      const analysis = await analyze(options);
      const format = flags.format as TimelineFormat;
      // Formats of a line per event are read again in scan workers where inputs are large; CSV rows
      // (which may hold line breaks) and standard input are formatted here.
      const byLine = !usesStdin && format !== 'csv';
      const all = usesStdin ? fromArray(analysis.events ?? []) : byLine ? timelineLines(options, analysis.readPlan, { format, line: lineFormatter(format) }) : timelineEvents(options, analysis.readPlan);
      // The second reading of a big input takes as long as the first: it gets a bar of its own, unless
      // the timeline itself is going to the terminal (the bar would be drawn between its lines).
      const barShown = options.onStep && (flags.output || !process.stdout.isTTY);
      const items = barShown ? stepping<ForensicEvent | string[]>(all, options.onStep!, 'writing the timeline', analysis.report.stats.events, (x) => (Array.isArray(x) ? x.length : 1)) : all;
      const writeAll = (write: (text: string) => Promise<void>) =>
        byLine ? writeLines(items as AsyncIterable<string[]>, write) : writeTimeline(items as AsyncIterable<ForensicEvent>, format, write);
      if (!flags.output) {
        await writeAll((text) => writeOutput(text, undefined));
        return;
      }
      const out = createWriteStream(flags.output, { flags: 'w' });
      const failed = once(out, 'error').then(([err]) => {
        throw new InputError(`cannot write the timeline: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, flags.output);
      });
      await Promise.race([failed, writeAll(async (text) => {
        if (!out.write(text)) await once(out, 'drain');
      })]);
      out.end();
      await Promise.race([failed, once(out, 'finish')]);
    });
  return cmd;
}
