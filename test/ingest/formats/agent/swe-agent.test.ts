import { describe, expect, it } from 'vitest';
import { itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'swe-agent';
const own = (f: string) => fixture(NAME, f);

describe('swe-agent', () => {
  itClaimsOnlyItsFixtures(NAME, { each: (r, path) => expect(r.container, path).toBe('json') });

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
