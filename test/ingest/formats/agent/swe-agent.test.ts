import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectInput } from '../../../../src/ingest/ingest.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'swe-agent';
const own = (f: string) => fixture(NAME, f);

function otherFixtures(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(fixture(), { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === NAME) continue;
    for (const f of readdirSync(fixture(dir.name))) if (f !== 'NOTICE.md') out.push(fixture(dir.name, f));
  }
  return out;
}

describe('swe-agent', () => {
  it('detect() picks swe-agent for every file in its fixture folder', async () => {
    for (const f of readdirSync(fixture(NAME))) {
      if (f === 'NOTICE.md') continue;
      const r = await ingestFile(own(f));
      expect(r.format, f).toBe(NAME);
      expect(r.container, f).toBe('json');
    }
  });

  it('probe() scores 0 on every other format fixture', async () => {
    for (const path of otherFixtures()) {
      const d = await detectInput({ path, isStdin: false }, { tz: 'UTC' });
      expect(d.scores.find((s) => s.name === NAME), path).toBeUndefined();
    }
  });

  // Decision: a .traj has no wall-clock time anywhere (only per-step execution_time), so its calls are
  // not put on the timeline at a made-up time; the report gets a note naming the instance and the count.
  it('parse() emits no events for a trajectory without absolute time, and says so in a note', async () => {
    const r = await ingestFile(own('6e44b9__sweagenttestrepo-1c2844.traj'));
    expect(r.events).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.notes).toEqual([
      '5 tool calls of SWE-agent trajectory SWE-agent__test-repo-i1 not placed on the timeline: a .traj records only relative step durations (execution_time) and no absolute time',
    ]);
  });

  it('parse() reports malformed steps by index', async () => {
    const r = await ingestFile(own('broken-steps.traj'));
    expect(r.issues).toEqual([
      { path: own('broken-steps.traj'), index: 2, message: 'trajectory step without a string `action`' },
      { path: own('broken-steps.traj'), index: 3, message: 'trajectory step with an invalid execution_time: "slow"' },
    ]);
    expect(r.events).toEqual([]);
    expect(r.notes[0]).toMatch(/^3 tool calls of SWE-agent trajectory SWE-agent__test-repo-i1 not placed/);
  });
});
