// The built-in pack (rules/) passes its own test cases, the same ones `agent-forensics rules test` runs.
import { describe, expect, it } from 'vitest';
import { runAttributionCases } from '../../src/attribution/rule-cases.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { runRuleTests } from '../../src/rules/selftest.js';

const set = await loadRuleSet(['rules']);

describe('built-in rules', () => {
  it('keep the ids golden reports and samples depend on', () => {
    const ids = set.rules.map((r) => r.id);
    for (const id of ['af-firewall-denied', 'af-ids-alert', 'af-ssh-egress', 'af-mining-pool', 'af-tunnel-service', 'af-metadata-probe', 'af-authz-refused', 'af-exec-miner-tunnel']) expect(ids).toContain(id);
  });

  it('every rule and correlation carries positive and negative cases', () => {
    for (const r of [...set.detections, ...set.correlations]) {
      expect(r.tests.positive.length, r.id).toBeGreaterThan(0);
      expect(r.tests.negative.length, r.id).toBeGreaterThan(0);
    }
  });

  it('every positive and negative case passes', () => {
    const failed = runRuleTests(set).filter((r) => !r.passed).map((r) => `${r.rule.id}: ${r.name}`);
    expect(failed).toEqual([]);
  });

  it('every attribution case passes, near misses included', () => {
    const results = runAttributionCases([...set.detections, ...set.correlations]);
    expect(results.length).toBeGreaterThanOrEqual(20);
    expect(results.filter((r) => r.expected === null).length).toBeGreaterThanOrEqual(10);
    expect(results.filter((r) => !r.passed).map((r) => `${r.rule.id}: ${r.name}: got ${r.got}`)).toEqual([]);
  });

  it('indicator lists the rules expand are defined', () => {
    for (const name of ['mining_pool_domains', 'stratum_ports', 'tunnel_service_domains', 'metadata_ips', 'miner_process_names', 'tunnel_tool_names', 'tunnel_tool_ports']) expect(set.indicators.has(name), name).toBe(true);
  });
});
