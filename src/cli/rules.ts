// `agent-forensics rules list|validate|test`: the same loader a run uses.
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadRuleSet } from '../rules/load.js';
import { runRuleTests } from '../rules/selftest.js';
import { BUILTIN_RULES } from '../version.js';
import { writeOutput } from './output.js';

const rulePaths = (paths: string[]) => (paths.length ? paths : [fileURLToPath(BUILTIN_RULES)]);

export function rulesCommand(setExitCode: (code: number) => void): Command {
  const cmd = new Command('rules').description('list, validate or test rule files (default: the built-in rules/)');
  cmd.command('list')
    .argument('[path...]', 'rule files or folders')
    .description('list the rules with their id, level and title')
    .action(async (paths: string[]) => {
      const set = await loadRuleSet(rulePaths(paths));
      const lines = set.rules.map((r) => `${r.id.padEnd(40)} ${r.severity.padEnd(8)} ${r.title}`);
      lines.push(`${set.rules.length} rules, ${set.indicators.size} indicator lists`);
      await writeOutput(lines.join('\n') + '\n', undefined);
    });
  cmd.command('validate')
    .argument('[path...]', 'rule files or folders')
    .description('check that rule files load (exit 2 with file:line and the reason when one does not)')
    .action(async (paths: string[]) => {
      const set = await loadRuleSet(rulePaths(paths));
      await writeOutput(`ok: ${set.rules.length} rules and ${set.indicators.size} indicator lists in ${set.files.length} files\n`, undefined);
    });
  cmd.command('test')
    .argument('[path...]', 'rule files or folders')
    .description("run each rule's own positive and negative test cases (exit 1 when one fails)")
    .action(async (paths: string[]) => {
      const set = await loadRuleSet(rulePaths(paths));
      const results = runRuleTests(set.rules);
      const failed = results.filter((r) => !r.passed);
      const lines = failed.map((r) => `FAIL ${r.rule.id}: ${r.expected ? 'should match' : 'should not match'}: ${r.name} (${r.rule.path}:${r.rule.line})`);
      const untested = set.rules.filter((r) => r.tests.positive.length === 0);
      for (const r of untested) lines.push(`note: ${r.id} has no positive test case`);
      lines.push(`${results.length - failed.length} passed, ${failed.length} failed`);
      await writeOutput(lines.join('\n') + '\n', undefined);
      if (failed.length) setExitCode(1);
    });
  return cmd;
}
