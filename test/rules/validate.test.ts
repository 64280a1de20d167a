// `rules validate` runs loadRuleSet: every way a rule can be wrong is refused with file:line and why.
import { describe, expect, it } from 'vitest';
import { refusal } from './helpers.js';

const head = 'title: T\nid: r1\nlevel: high\n';
const detection = 'detection:\n  sel:\n    action: deny\n  condition: sel\n';

describe('loadRuleSet refuses invalid rules', () => {
  const cases: [string, string, string][] = [
    ['invalid YAML', 'title: [unclosed\n', 'r.yml:2: invalid YAML: Flow sequence'],
    ['a document that is not a mapping', '- a\n- b\n', 'r.yml:1: a rule document must be a mapping'],
    ['no title', 'id: r1\nlevel: high\n' + detection, "r.yml:1: a rule needs a 'title'"],
    ['no id', 'title: T\nlevel: high\n' + detection, "r.yml:1: a rule needs an 'id'"],
    ['a bad level', 'title: T\nid: r1\nlevel: severe\n' + detection, "r.yml:3: 'level' must be one of"],
    ['no level on a rule that marks violations', 'title: T\nid: r1\n' + detection, "r.yml:1: a rule needs a 'level'"],
    ['no detection', head, "r.yml:1: a rule needs a 'detection' mapping"],
    ['no condition', head + 'detection:\n  sel:\n    action: deny\n', "r.yml:5: detection needs a 'condition'"],
    ['an unknown modifier', head + 'detection:\n  sel:\n    dst.ip|startwith: "10."\n  condition: sel\n', "r.yml:6: selection 'sel': field 'dst.ip|startwith': unknown modifier 'startwith'"],
    ['an unsupported modifier', head + 'detection:\n  sel:\n    command|utf16le|base64: x\n  condition: sel\n', "r.yml:6: selection 'sel': field 'command|utf16le|base64': unsupported modifier 'utf16le'"],
    ['conflicting modifiers', head + 'detection:\n  sel:\n    command|contains|startswith: x\n  condition: sel\n', "cannot be combined"],
    ['a bad regex', head + 'detection:\n  sel:\n    command|re: "(?<=x)y"\n  condition: sel\n', 'r.yml:6: selection \'sel\': field \'command|re\': invalid regular expression'],
    ['a bad CIDR', head + 'detection:\n  sel:\n    dst.ip|cidr: 10.0.0.0/33\n  condition: sel\n', "invalid CIDR '10.0.0.0/33'"],
    ['an unknown placeholder', head + 'detection:\n  sel:\n    dst.domain|expand: "%nope%"\n  condition: sel\n', 'unknown placeholder %nope%'],
    ['a list item that is no mapping', head + 'detection:\n  sel:\n    - action: deny\n    - [1, 2]\n  condition: sel\n', "r.yml:7: selection 'sel' must be a mapping"],
    ['a condition naming no selection', head + 'detection:\n  sel:\n    action: deny\n  condition: sel and other\n', "r.yml:7: condition names 'other'"],
    ['a condition that does not parse', head + 'detection:\n  sel:\n    action: deny\n  condition: sel and (\n', 'r.yml:7: condition: condition ends too early'],
    ['a pattern matching no selection', head + 'detection:\n  sel:\n    action: deny\n  condition: 1 of x*\n', "condition pattern 'x*' matches no selection"],
    ['Sigma 1 near', head + 'detection:\n  a:\n    action: deny\n  b:\n    action: allow\n  condition: a near b\n', "'near' is obsolete Sigma"],
    ['timeframe without aggregation', head + 'detection:\n  sel:\n    action: deny\n  timeframe: 5m\n  condition: sel\n', "r.yml:7: 'timeframe' only applies to aggregations"],
    ['an unknown logsource category', head + 'logsource:\n  category: windows\n' + detection, "r.yml:5: unknown logsource category 'windows'"],
    ['an unknown attribution key', head + detection + 'attribution:\n  within: 5s\n', "r.yml:9: unknown attribution key 'within'"],
    ['a bad attribution duration', head + detection + 'attribution:\n  after: soon\n', 'r.yml:9: attribution.after must be a duration'],
    ['a bad join key', head + detection + 'attribution:\n  join: [host, rack]\n', "r.yml:9: attribution.join: 'rack' is not one of"],
    ['a bad anchor', head + detection + 'attribution:\n  anchor: middle\n', "attribution.anchor must be 'first' or 'last'"],
    ['a bad command weight', head + detection + 'attribution:\n  command:\n    - { pattern: x, weight: 2 }\n', 'r.yml:10: attribution.command weight must be a number between 0 and 1'],
    ['a bad command regex', head + detection + 'attribution:\n  command: ["a(b"]\n', 'r.yml:9: attribution.command: invalid regular expression'],
    ['an unknown tests key', head + detection + 'tests:\n  maybe: []\n', "r.yml:9: unknown tests key 'maybe'"],
    ['a test case without event', head + detection + 'tests:\n  positive:\n    - name: x\n', "r.yml:10: tests.positive[0] needs an 'event' mapping"],
    ['an attribution case without expect', head + detection + 'tests:\n  attribution:\n    - violation: { at: 0s, event: {} }\n      calls: []\n', "r.yml:10: tests.attribution[0] needs 'expect'"],
    ['an attribution case expecting an unknown call', head + detection + 'tests:\n  attribution:\n    - violation: { at: 0s, event: {} }\n      calls: [{ id: a, command: x, start: 0s }]\n      expect: b\n', "expects 'b', which is none of its calls"],
    ['an attribution call without start', head + detection + 'tests:\n  attribution:\n    - violation: { at: 0s, event: {} }\n      calls: [{ id: a, command: x }]\n      expect: a\n', 'a call start must be an offset'],
    ['generate on a detection', head + detection + 'generate: true\n', "r.yml:8: 'generate' belongs to correlation rules"],
  ];
  for (const [what, text, expected] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await refusal(text)).toContain(expected);
    });
  }

  it('refuses a duplicate id and a duplicate name across documents', async () => {
    expect(await refusal(head + detection + '---\n' + head + detection)).toMatch(/^r\.yml:10: rule id 'r1' is already used in .*r\.yml:2$/);
    expect(await refusal(head + 'name: n\n' + detection + '---\ntitle: U\nid: r2\nname: n\nlevel: low\n' + detection)).toContain("rule name 'n' is already used");
  });

  it('refuses a duplicate indicator list', async () => {
    expect(await refusal('indicator: x\nvalues: [a]\n---\nindicator: x\nvalues: [b]\n')).toBe("r.yml:4: indicator list 'x' is defined twice");
  });

  it('loads a valid rule (the cases above fail for their own reason only)', async () => {
    expect(await refusal(head + detection)).toBe('');
  });
});

describe('loadRuleSet refuses invalid correlations', () => {
  const base = 'title: B\nid: base\nname: b\nlevel: low\n' + detection + '---\n';
  const corr = (body: string) => base + 'title: C\nid: c1\nlevel: high\ncorrelation:\n' + body;
  const cases: [string, string, string][] = [
    ['an unknown type', corr('  type: sequence\n  rules: [b]\n  timespan: 5m\n'), 'r.yml:14: correlation.type must be one of'],
    ['no rules', corr('  type: event_count\n  timespan: 5m\n  condition: { gte: 2 }\n'), 'correlation.rules must list'],
    ['an unknown rule', corr('  type: event_count\n  rules: [nope]\n  timespan: 5m\n  condition: { gte: 2 }\n'), "refers to 'nope', which is no rule id or name"],
    ['no timespan', corr('  type: event_count\n  rules: [b]\n  condition: { gte: 2 }\n'), 'correlation.timespan must be a duration'],
    ['event_count without condition', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n'), 'needs a condition like { gte: 10 }'],
    ['value_count without field', corr('  type: value_count\n  rules: [b]\n  timespan: 5m\n  condition: { gte: 2 }\n'), "needs 'field' in its condition"],
    ['an unknown condition operator', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: { above: 2 }\n'), "unknown correlation condition 'above'"],
    ['a fractional bound', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: { gte: 2.5 }\n'), 'must be a whole number'],
    ['temporal with one rule', corr('  type: temporal\n  rules: [b]\n  timespan: 5m\n'), 'needs at least two different rules'],
    ['an alias for a rule it does not use', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: { gte: 2 }\n  aliases:\n    ip:\n      other: src.ip\n'), "'other' is not one of this correlation's rules"],
    ['an unknown correlation key', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: { gte: 2 }\n  ordered: true\n'), "unknown correlation key 'ordered'"],
    ['both detection and correlation', 'title: C\nid: c1\nlevel: high\n' + detection + 'correlation:\n  type: event_count\n', "has either 'detection' or 'correlation'"],
    ['a correlation test case without events', corr('  type: event_count\n  rules: [b]\n  timespan: 5m\n  condition: { gte: 2 }\ntests:\n  positive:\n    - name: x\n'), "of a correlation needs 'events'"],
  ];
  for (const [what, text, expected] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await refusal(text)).toContain(expected);
    });
  }

  it('refuses a cycle of correlations', async () => {
    const text = base + 'title: C1\nid: c1\nname: c1\nlevel: high\ncorrelation:\n  type: temporal\n  rules: [b, c2]\n  timespan: 5m\n---\n'
      + 'title: C2\nid: c2\nname: c2\nlevel: high\ncorrelation:\n  type: temporal\n  rules: [b, c1]\n  timespan: 5m\n';
    expect(await refusal(text)).toContain('refers to itself through its rules');
  });
});
