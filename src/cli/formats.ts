// `agent-forensics formats`: every input format, from the format files themselves.
import { Command } from 'commander';
import { FORMATS } from '../ingest/registry.js';
import { writeOutput } from './output.js';

export function formatsCommand(): Command {
  return new Command('formats')
    .description('list the input formats it reads, with detection and time notes')
    .option('--json', 'as JSON')
    .action(async (flags: { json?: boolean }) => {
      if (flags.json) {
        await writeOutput(JSON.stringify(FORMATS.map(({ name, source, description, notes }) => ({ name, source, description, notes })), null, 2) + '\n', undefined);
        return;
      }
      const lines: string[] = [];
      for (const kind of ['firewall', 'audit', 'agent'] as const) {
        lines.push(`${kind}:`);
        for (const f of FORMATS.filter((x) => x.source === kind)) {
          lines.push(`  ${f.name}`);
          lines.push(`      ${f.description}`);
          lines.push(`      ${f.notes}`);
        }
      }
      await writeOutput(lines.join('\n') + '\n', undefined);
    });
}
