// `agent-forensics verify <report.json>`: is the evidence a saved report describes still unchanged?
// Exit 0 when every input is unchanged, 1 when one changed, is missing or cannot be verified, 2 on a bad report.
import { Command } from 'commander';
import { printable, readReportInputs, verifyInput } from '../integrity/verify.js';
import { writeOutput } from './output.js';

export function verifyCommand(setExitCode: (code: number) => void): Command {
  return new Command('verify')
    .description('re-hash the inputs listed in a saved JSON report (paths as recorded, relative to here) and say whether each is unchanged')
    .argument('<report.json>', 'a report written with --format json')
    .action(async (reportPath: string) => {
      const inputs = await readReportInputs(reportPath);
      const lines: string[] = [];
      let bad = 0;
      for (const input of inputs) {
        const v = await verifyInput(input);
        if (v.status !== 'unchanged') bad++;
        lines.push(`${v.status.padEnd(12)} ${printable(v.path)}${v.detail ? ` (${printable(v.detail)})` : ''}`);
      }
      lines.push(bad === 0 ? `all ${inputs.length} inputs unchanged` : `${bad} of ${inputs.length} inputs changed, missing or unverifiable`);
      await writeOutput(lines.join('\n') + '\n', undefined);
      if (bad) setExitCode(1);
    });
}
