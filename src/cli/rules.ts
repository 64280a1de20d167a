// `agent-forensics rules list|validate|test`: the same loader a run uses, and the same scoring for
// the attribution cases rules carry.
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { runAttributionCases } from '../attribution/rule-cases.js';
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
      const lines = set.detections.map((r) => `${r.id.padEnd(40)} ${r.severity.padEnd(8)} ${r.title}${r.standalone ? '' : ' (used by correlations only)'}`);
      for (const c of set.correlations) lines.push(`${c.id.padEnd(40)} ${c.severity.padEnd(8)} ${c.title} (correlation: ${c.type} of ${c.refs.join(', ')})`);
      lines.push(`${set.detections.length} rules, ${set.correlations.length} correlations, ${set.indicators.size} indicator lists`);
      await writeOutput(lines.join('\n') + '\n', undefined);
    });
  cmd.command('validate')
    .argument('[path...]', 'rule files or folders')
    .description('check that rule files load (exit 2 with file:line and the reason when one does not)')
    .action(async (paths: string[]) => {
      const set = await loadRuleSet(rulePaths(paths));
      await writeOutput(`ok: ${set.detections.length} rules, ${set.correlations.length} correlations and ${set.indicators.size} indicator lists in ${set.files.length} files\n`, undefined);
    });
  cmd.command('test')
    .argument('[path...]', 'rule files or folders')
    .description("run each rule's own test cases: positive, negative and attribution (exit 1 when one fails)")
    .action(async (paths: string[]) => {
      const set = await loadRuleSet(rulePaths(paths));
      const results = runRuleTests(set);
      const cases = runAttributionCases([...set.detections, ...set.correlations]);
      const lines: string[] = [];
      for (const r of results.filter((x) => !x.passed)) lines.push(`FAIL ${r.rule.id}: ${r.expected ? 'should match' : 'should not match'}: ${r.name} (${r.rule.path}:${r.rule.line})`);
      for (const c of cases.filter((x) => !x.passed)) {
        const got = c.got === null ? `none (best confidence ${c.confidence})` : `${c.got} (confidence ${c.confidence})`;
        lines.push(`FAIL ${c.rule.id}: attribution: ${c.name}: expected ${c.expected ?? 'none'}, got ${got} (${c.rule.path}:${c.line})`);
        for (const reason of c.reasons) lines.push(`     ${reason}`);
      }
      for (const r of set.detections.filter((x) => x.standalone && x.tests.positive.length === 0)) lines.push(`note: ${r.id} has no positive test case`);
      for (const r of set.correlations.filter((x) => x.tests.positive.length === 0)) lines.push(`note: ${r.id} has no positive test case`);
      const failed = results.filter((x) => !x.passed).length + cases.filter((x) => !x.passed).length;
      const total = results.length + cases.length;
      lines.push(`${total - failed} passed, ${failed} failed (${results.length} match cases, ${cases.length} attribution cases)`);
      await writeOutput(lines.join('\n') + '\n', undefined);
      if (failed) setExitCode(1);
    });
  return cmd;
}
