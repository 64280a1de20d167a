// The CLI entry: commander wiring, and the only place that prints errors and sets the exit code.
// User errors print one line and exit 2; anything else is a bug, printed with its stack (exit 70).
import { Command, CommanderError } from 'commander';
import { UserError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { correlateCommand } from './correlate.js';
import { formatsCommand } from './formats.js';
import { rulesCommand } from './rules.js';
import { timelineCommand } from './timeline.js';
import { verifyCommand } from './verify.js';

const EXAMPLES = `
Examples:
  incident response   agent-forensics correlate /evidence --inventory hosts.csv --tz Asia/Shanghai
  review report       agent-forensics correlate /evidence --format html -o report.html
  nightly audit       agent-forensics correlate /logs --format json -o audit.json --fail-on high -q
  one timeline        agent-forensics timeline /evidence --format timesketch -o timeline.jsonl

Exit codes: 0 analysis ran, nothing at or above --fail-on; 1 an attributed violation at or above
--fail-on; 2 usage or input error (one line on stderr).`;

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('agent-forensics')
    .description('Ties firewall, flow and cloud-audit violations to the AI agent tool calls that caused them.')
    .version(VERSION, '-V, --version')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  for (const cmd of [correlateCommand(setExitCode), timelineCommand(), formatsCommand(), rulesCommand(setExitCode), verifyCommand(setExitCode)]) {
    program.addCommand(cmd);
  }
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: () => undefined });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  let settled = false;
  // A promise that can never settle would let Node exit 0 with no output: make that a loud failure.
  process.on('beforeExit', () => {
    if (!settled) {
      process.stderr.write('agent-forensics: internal error: the run stopped before it finished\n');
      process.exitCode = 70;
      settled = true;
    }
  });
  exitOnSignals();
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(exitCode);
  });
  try {
    await buildProgram((c) => (exitCode = c)).parseAsync(argv);
  } catch (err) {
    exitCode = handleError(err);
  }
  settled = true;
  process.exitCode = exitCode;
}

/**
 * Ctrl-C and SIGTERM end the run through process.exit (130, 143), so exit handlers run: temporary
 * folders of spilled data are removed instead of left behind (Node's default handling skips them).
 */
export function exitOnSignals(): void {
  // Kept installed: a second signal (the terminal's Ctrl-C and the launcher passing it on) must not
  // find Node's default handling, which would skip the exit handlers.
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    const message = err.message.replace(/^error: /, '');
    process.stderr.write(`agent-forensics: ${message.split('\n')[0]} (see --help)\n`);
    return 2;
  }
  if (err instanceof UserError) {
    process.stderr.write(`agent-forensics: ${err.describe()}\n`);
    return 2;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EPIPE') return 0;
  process.stderr.write(`agent-forensics: internal error (a bug; please report it with the command line):\n${e?.stack ?? String(err)}\n`);
  return 70;
}
