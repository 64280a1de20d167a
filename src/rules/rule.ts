// Rule types: a Sigma-style detection that marks events as violations, plus our `attribution`
// extension that tells the attribution stage how a violation of this kind ties to a tool call.
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

export interface AttributionHints {
  /** how long before the call's start a violation may be stamped (clock jitter), ms */
  beforeMs: number;
  /** how long after the call's end a violation may still be its effect, ms */
  afterMs: number;
  /** the behaviour outlives the call (a miner, a tunnel): violations long after it can be its effect */
  persistent: boolean;
  /** texts in a command that show this behaviour (re2 syntax, case-insensitive) */
  commandPatterns: { source: string; test: (command: string) => boolean; label: string }[];
}

export interface RuleTestCase {
  name: string;
  event: Record<string, unknown>;
}

export interface Rule {
  id: string;
  title: string;
  description?: string;
  severity: Severity;
  /** event kinds this rule looks at (from logsource.category), all when undefined */
  kinds?: EventKind[];
  /** event sources (firewall, audit) from logsource.product/service, all when undefined */
  formats?: string[];
  selections: Map<string, Selection>;
  condition: ConditionNode;
  attribution: AttributionHints;
  tags: string[];
  tests: { positive: RuleTestCase[]; negative: RuleTestCase[] };
  /** where the rule was loaded from */
  path: string;
  line: number;
}
