// Shared helpers for the rule tests: write rule text to a temp folder and load it with the real loader.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleSet, type RuleSet } from '../../src/rules/load.js';

export async function loadText(files: Record<string, string>): Promise<RuleSet> {
  const dir = await mkdtemp(join(tmpdir(), 'af-rules-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return loadRuleSet([dir]);
}

/** The `path:line: message` a bad rule file is refused with, or '' when it loads. */
export async function refusal(text: string): Promise<string> {
  try {
    await loadText({ 'r.yml': text });
    return '';
  } catch (err) {
    const e = err as { describe?: () => string; message: string };
    return e.describe ? e.describe().replace(/^.*?r\.yml:/, 'r.yml:') : e.message;
  }
}

/** Three detection rules for correlation tests to count: refused traffic, console logins, secret reads. */
export const CORRELATION_BASES = `title: Refused
id: refused-id
name: refused
level: low
detection:
  sel:
    action: deny
  condition: sel
---
title: Login
id: login-id
name: login
level: low
detection:
  sel:
    operation: ConsoleLogin
  condition: sel
---
title: Secrets
id: secrets-id
name: secrets
level: medium
detection:
  sel:
    operation: GetSecretValue
  condition: sel
`;
