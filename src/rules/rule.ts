// Rule types: Sigma-style detections that mark events, Sigma correlations over what they mark, and
// our `attribution` extension that tells the attribution stage how a violation ties to a tool call.
import type { EventKind, Severity } from '../model/event.js';

/** One compiled test of one field value. */
export type ValueTest = (value: unknown) => boolean;

export interface FieldCondition {
  field: string;
  /** true if the field's value passes; `all` lists need every test, otherwise any */
  tests: ValueTest[];
  all: boolean;
  /** `|exists` style conditions look at presence, not at value */
  exists?: boolean;
  /** `field: null` matches when the field is absent */
  isNull?: boolean;
}

/** A named Sigma search identifier: a map (AND of fields) or a list of maps (OR). */
export interface Selection {
  name: string;
  alternatives: FieldCondition[][];
}

export type ConditionNode =
  | { type: 'ref'; name: string }
  | { type: 'not'; node: ConditionNode }
  | { type: 'and' | 'or'; nodes: ConditionNode[] }
  | { type: 'of'; quantifier: 'all' | 'one'; pattern: string };

/** Scopes a call must share with a violation to be its candidate (attribution.join). */
export const JOIN_KEYS = ['session', 'sandbox', 'host', 'container', 'inventory'] as const;
export type JoinKey = (typeof JOIN_KEYS)[number];

export interface CommandPattern {
  source: string;
  test: (command: string) => boolean;
  label: string;
  /** evidence weight when the command matches; attribution's default (0.5) when undefined */
  weight?: number;
  /**
   * This pattern's bit in a command's memo of answers (CommandFact.tested / hits), given by the rule
   * set in rule order; 0 for patterns past its first 30, whose answers go in a map. Bits are unique
   * within one rule set only: a command's memo serves the calls of one analysis.
   */
  bit: number;
}

export interface AttributionHints {
  /** how long before the call's start a violation may be stamped (clock jitter), ms */
  beforeMs: number;
  /** how long after the call's end a violation may still be its effect, ms */
  afterMs: number;
  /** the behaviour outlives the call (a miner, a tunnel): violations long after it can be its effect */
  persistent: boolean;
  /** texts in a command that show this behaviour (re2 syntax, case-insensitive) */
  commandPatterns: CommandPattern[];
  /** correlation rules: the event of the group the violation is placed at */
  anchor: 'first' | 'last';
  /** scopes that must agree between violation and call; empty leaves it to the scoring */
  join: JoinKey[];
}

export interface RuleTestCase {
  name: string;
  event: Record<string, unknown>;
}

/** A correlation test: events at offsets from a fixed origin, fed through the referenced rules. */
export interface CorrelationTestCase {
  name: string;
  events: { atMs: number; event: Record<string, unknown> }[];
}

/** A tool call of an attribution test case, in the transcript's own terms. */
export interface TestCall {
  callId: string;
  session?: string;
  tool?: string;
  command: string;
  host?: string;
  sandbox?: string;
  container?: string;
  startMs: number;
  /** undefined: the format gave no end */
  endMs?: number;
  precision?: 'exact' | 'call-result' | 'response' | 'step' | 'session';
}

/** `tests.attribution`: a violation, the calls around it, and which call (or none) must win. */
export interface AttributionTestCase {
  name: string;
  line: number;
  violation: { atMs: number; event: Record<string, unknown> };
  calls: TestCall[];
  inventory: { host: string; ip: string; sandbox?: string; session?: string }[];
  dns: { ip: string; domain: string }[];
  expect: string | null;
  minConfidence: number;
}

/** What every rule that can name a violation carries, detection or correlation. */
export interface RuleHeader {
  id: string;
  /** Sigma `name`: how correlations may refer to the rule */
  name?: string;
  title: string;
  description?: string;
  severity: Severity;
  attribution: AttributionHints;
  tags: string[];
  /** where the rule was loaded from */
  path: string;
  line: number;
}

export interface Rule extends RuleHeader {
  /** event kinds this rule looks at (from logsource.category), all when undefined */
  kinds?: EventKind[];
  /** event sources (firewall, audit) from logsource.product/service, all when undefined */
  formats?: string[];
  selections: Map<string, Selection>;
  condition: ConditionNode;
  tests: { positive: RuleTestCase[]; negative: RuleTestCase[]; attribution: AttributionTestCase[] };
  /** false when only correlations use it (Sigma `generate: false`, the default): it marks no violation alone */
  standalone: boolean;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

/** A bound on a count: every present bound must hold. */
export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
}

export interface CorrelationRule extends RuleHeader {
  type: CorrelationType;
  /** referenced rule ids or names, as written */
  refs: string[];
  groupBy: string[];
  timespanMs: number;
  /** undefined for temporal types without one: all referenced rules must occur */
  condition?: CountCondition;
  /** value_count: the field whose distinct values are counted */
  field?: string;
  /** alias name → (referenced rule name or id → field in its events) */
  aliases: Map<string, Map<string, string>>;
  /** Sigma `generate`: the referenced rules also mark violations on their own */
  generate: boolean;
  tests: { positive: CorrelationTestCase[]; negative: CorrelationTestCase[]; attribution: AttributionTestCase[] };
  /** false when an enclosing correlation uses it without `generate: true` */
  standalone: boolean;
}
