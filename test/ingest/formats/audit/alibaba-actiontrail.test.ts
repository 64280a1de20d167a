import { describe, expect, it } from 'vitest';
import { expectDamagedLines, expectIndexRefs, ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'alibaba-actiontrail';
const own = (f: string) => fixture(NAME, f);

describe('alibaba-actiontrail', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() reads event JSON lines with exact first and last records', async () => {
    const path = own('synthetic-events.jsonl');
    const r = await ingestClean(path, 4);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      timeMs: Date.parse('2024-05-14T10:30:02Z'),
      timeRaw: '2024-05-14T10:30:02Z',
      ref: { path, line: 1 },
      operation: 'DescribeInstances',
      actor: 'AgentSandboxRole:i-bp1g6zv0ce8oghu7k2xd',
      host: 'i-bp1g6zv0ce8oghu7k2xd',
      src: { ip: '47.96.10.21' },
      action: 'allow',
      fields: { eventSource: 'ecs.aliyuncs.com', serviceName: 'Ecs', acsRegion: 'cn-hangzhou', eventRW: 'Read', identityType: 'assumed-role', eventId: 'A1B2C3D4-0001-4000-8000-000000000001' },
    });
    expect(first.errorCode).toBeUndefined();
    expect(first.fields!.errorCode).toBeUndefined();
    expect(r.events[1]).toMatchObject({ operation: 'CreateAccessKey', action: 'error', errorCode: 'NoPermission', fields: { authzDenied: true } });
    expect(r.events[2]).toMatchObject({ operation: 'RunInstances', actor: 'ci-bot', action: 'error', errorCode: 'Forbidden.RAM', src: { ip: '198.51.100.23' }, fields: { authzDenied: true } });
    expect(r.events[2]!.host).toBeUndefined();
    const last = r.events[3]!;
    expect(last).toMatchObject({
      timeMs: Date.parse('2024-05-14T10:32:15Z'),
      ref: { path, line: 4 },
      operation: 'StopInstance',
      actor: 'system',
      src: { domain: 'ecs.aliyuncs.com' },
      host: 'i-bp1g6zv0ce8oghu7k2xd',
      action: 'allow',
      fields: { eventType: 'AliyunServiceEvent', instanceId: 'i-bp1g6zv0ce8oghu7k2xd' },
    });
    expect(last.message).toBe('StopInstance [ecs.aliyuncs.com] by system from ecs.aliyuncs.com');
  });

  it('parse() reads SLS records with an event string and with flattened event.* keys', async () => {
    const path = own('synthetic-sls.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => [e.ref.line, e.operation, e.errorCode ?? null, e.fields!.topic])).toEqual([
      [1, 'DescribeInstances', null, 'actiontrail_audit_event'],
      [2, 'CreateAccessKey', 'NoPermission', 'actiontrail_audit_event'],
      [3, 'RunInstances', 'Forbidden.RAM', 'actiontrail_audit_event'],
    ]);
    expect(r.events[2]).toMatchObject({ actor: 'ci-bot', timeRaw: '2024-05-14T10:31:40Z', fields: { accessKeyId: 'LTAI5tExampleKey000000', accountId: '15949869382612345' } });
  });

  it('parse() reads a JSON array with index refs', async () => {
    await expectIndexRefs(own('synthetic-events-array.json'), ['DescribeInstances', 'CreateAccessKey']);
  });

  it('parse() skips exactly the damaged lines', async () => {
    await expectDamagedLines(own('broken-lines.jsonl'), [2, 3, 4], [1, 6]);
  });
});
