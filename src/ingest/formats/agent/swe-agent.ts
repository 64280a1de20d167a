// SWE-agent trajectory files (`<instance>.traj`: {trajectory, history, info, environment, replay_config}).
// Detected so the report names it, and every step is checked; but a .traj carries only relative step
// durations and no wall-clock time, so its calls cannot be placed on the timeline (a note says so).
import type { ForensicEvent } from '../../../model/event.js';
import type { Head, InputFormat, LineRecord, ParseContext } from '../../format.js';
import { isObject, num, readJsonDocument, str, type JsonObject } from '../../shared/json.js';

const NAME = 'swe-agent';

function isTrajectory(doc: unknown): doc is JsonObject {
  if (!isObject(doc) || !Array.isArray(doc.trajectory)) return false;
  if (!Array.isArray(doc.history) && !isObject(doc.info)) return false;
  const first = doc.trajectory[0];
  // An empty trajectory (agent failed before its first step) is still a .traj
  if (first === undefined) return isObject(doc.info) && Array.isArray(doc.history);
  return isObject(first) && typeof first.action === 'string' && 'observation' in first && ('thought' in first || 'response' in first);
}

function probe(head: Head): number {
  if (head.container !== 'json') return 0;
  if (head.document !== undefined) return isTrajectory(head.document) ? 1 : 0;
  // Too big to parse for detection: the opening keys of a .traj document
  const t = head.text.slice(0, 4096);
  return /^\s*\{\s*"(environment|trajectory)"\s*:/.test(t) && t.includes('"trajectory"') && /"action"\s*:/.test(head.text) && /"execution_time"\s*:/.test(head.text) ? 0.7 : 0;
}

/** The instance the run solved: replay_config (an object, or a JSON string in 0.x) names its problem statement. */
function sessionOf(doc: JsonObject): string | undefined {
  let rc = doc.replay_config;
  if (typeof rc === 'string') {
    try {
      rc = JSON.parse(rc);
    } catch {
      rc = undefined;
    }
  }
  const ps = isObject(rc) ? rc.problem_statement : undefined;
  const id = isObject(ps) ? str(ps.id) : undefined;
  if (id) return id;
  const info = isObject(doc.info) ? doc.info : {};
  return str(info.instance_id) ?? (typeof doc.environment === 'string' && doc.environment !== '' ? doc.environment : undefined);
}

async function* parse(lines: AsyncIterable<LineRecord>, ctx: ParseContext): AsyncGenerator<ForensicEvent> {
  const doc = await readJsonDocument(lines, ctx);
  if (doc === undefined) return;
  if (!isTrajectory(doc)) {
    ctx.skip({ index: 0 }, 'not a SWE-agent trajectory: no `trajectory` array of steps');
    return;
  }
  const steps = doc.trajectory as unknown[];
  let valid = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (!isObject(step) || typeof step.action !== 'string') {
      ctx.skip({ index: i }, 'trajectory step without a string `action`');
      continue;
    }
    const seconds = num(step.execution_time);
    if (step.execution_time !== undefined && (seconds === undefined || seconds < 0)) {
      ctx.skip({ index: i }, `trajectory step with an invalid execution_time: ${JSON.stringify(step.execution_time).slice(0, 40)}`);
      continue;
    }
    valid++;
  }
  // Checked against SWE-agent 0.x and 1.x (sweagent/types.py TrajectoryStep: action, observation, response,
  // state, thought, execution_time, query, extra_info; AgentInfo; replay_config): no field holds a wall-clock
  // time, so there is nothing to anchor the relative step durations to. Inventing an anchor (file mtime,
  // epoch 0) would put calls at false times and mislead attribution, so none is emitted.
  if (valid > 0) {
    const session = sessionOf(doc);
    ctx.note(
      `${valid} tool call${valid === 1 ? '' : 's'} of SWE-agent trajectory ${session ?? '(no instance id)'} not placed on ` +
        'the timeline: a .traj records only relative step durations (execution_time) and no absolute time',
    );
  }
  // An async generator that yields nothing still has to be one: the loop above is the whole parse.
  yield* [];
}

export const sweAgentFormat: InputFormat = {
  name: NAME,
  source: 'agent',
  description: 'SWE-agent trajectory files (.traj JSON: trajectory steps with action, observation, execution_time)',
  notes:
    'Detected by a JSON document with a `trajectory` array of steps (action, observation, thought/response) and a ' +
    '`history` array or `info` object. A .traj holds no absolute time, only each step\'s relative execution_time ' +
    '(checked against SWE-agent 0.x and 1.x), so it yields no timeline events: the steps are checked (bad steps are ' +
    'skips by index) and a note states how many tool calls of which instance (replay_config.problem_statement.id, ' +
    'else info.instance_id, else environment) were left off. File times are never used as a substitute.',
  probe,
  parse,
};
