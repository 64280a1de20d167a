import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'aws-cloudtrail';
const own = (f: string) => fixture(NAME, f);

describe('aws-cloudtrail', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() reads JSON lines with exact first and last records', async () => {
    const r = await ingestClean(own('crowdsec-aws-cloudtrail-postexploit.jsonl'), 4);
    expect(r.container).toBe('jsonl');
    const first = r.events[0]!;
    expect(first).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      timeMs: Date.parse('2023-04-12T11:55:16Z'),
      timeRaw: '2023-04-12T11:55:16Z',
      ref: { path: own('crowdsec-aws-cloudtrail-postexploit.jsonl'), line: 1 },
      operation: 'ListSecrets',
      actor: '<arn>',
      src: { ip: '1.2.3.4' },
      action: 'error',
      errorCode: 'AccessDenied',
    });
    expect(first.host).toBeUndefined();
    expect(first.fields).toMatchObject({
      eventSource: 'secretsmanager.amazonaws.com',
      awsRegion: 'eu-west-1',
      errorCode: 'AccessDenied',
      userAgent: 'aws-cli/1.27.74 Python/3.9.15 Linux/6.1.0-6-amd64 botocore/1.29.74',
      eventID: '<eventId>',
      recipientAccountId: '<accountId>',
      authzDenied: true,
    });
    expect(String(first.fields!.errorMessage)).toMatch(/^User: arn:aws:iam::<accountId>:user\/<userName> is not authorized/);
    expect(first.message).toBe('ListSecrets [secretsmanager.amazonaws.com] by <arn> from 1.2.3.4 -> AccessDenied');
    const last = r.events[3]!;
    expect(last).toMatchObject({
      timeMs: Date.parse('2023-04-12T11:56:49Z'),
      ref: { path: own('crowdsec-aws-cloudtrail-postexploit.jsonl'), line: 4 },
      operation: 'GetCallerIdentity',
      actor: 'arn:aws:iam::<accountId>:user/<username>',
      action: 'allow',
    });
    expect(last.errorCode).toBeUndefined();
    expect(last.fields!.authzDenied).toBeUndefined();
    // file order is kept even though the file is not time-ordered
    expect(r.events.map((e) => e.operation)).toEqual(['ListSecrets', 'ListBuckets', 'ListFunctions20150331', 'GetCallerIdentity']);
  });

  it('parse() marks a failed ConsoleLogin as an error without inventing an errorCode', async () => {
    const r = await ingestClean(own('crowdsec-aws-cloudtrail.jsonl'), 2);
    expect(r.events[0]).toMatchObject({ operation: 'ConsoleLogin', action: 'error', actor: '<userName>', fields: { errorMessage: 'Failed authentication' } });
    expect(r.events[0]!.errorCode).toBeUndefined();
    expect(r.events[1]).toMatchObject({ operation: 'GetCallerIdentity', action: 'allow', actor: '<arn>', timeRaw: '2023-03-29T14:39:10Z', ref: { line: 2 } });
  });

  it('parse() reads a one-line Records file with index refs (and the line)', async () => {
    const path = own('derived-records-envelope-from-crowdsec-postexploit.json');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toMatchObject({ operation: 'ListSecrets', ref: { path, line: 1, index: 0 }, errorCode: 'AccessDenied' });
    expect(r.events[3]).toMatchObject({ operation: 'GetCallerIdentity', ref: { path, line: 1, index: 3 }, action: 'allow' });
  });

  it('parse() reads a pretty-printed Records document with index refs', async () => {
    const path = own('derived-records-pretty.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('json');
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.ref)).toEqual([0, 1, 2, 3].map((index) => ({ path, index })));
    expect(r.events[1]).toMatchObject({ operation: 'ListBuckets', timeMs: Date.parse('2023-04-12T14:53:45Z'), fields: { eventID: '19974c80-ef3e-4a7c-807e-d58c91e0dd04' } });
  });

  it('parse() reads lookup-events output through the CloudTrailEvent string', async () => {
    const path = own('synthetic-lookup-events.json');
    const r = await ingestClean(path, 3);
    expect(r.events[0]).toMatchObject({
      operation: 'AssumeRole',
      timeRaw: '2024-05-14T10:03:05Z',
      actor: 'ec2.amazonaws.com',
      src: { domain: 'ec2.amazonaws.com' },
      action: 'allow',
      ref: { path, index: 0 },
    });
    expect(r.events[0]!.src!.ip).toBeUndefined();
    expect(r.events[1]).toMatchObject({
      operation: 'RunInstances',
      timeMs: Date.parse('2024-05-14T10:02:11Z'),
      actor: 'arn:aws:sts::111122223333:assumed-role/agent-sandbox-role/i-0a1b2c3d4e5f60718',
      host: 'i-0a1b2c3d4e5f60718',
      src: { ip: '203.0.113.45' },
      action: 'error',
      errorCode: 'Client.UnauthorizedOperation',
      fields: { authzDenied: true, eventID: 'e1a2b3c4-0000-4000-8000-000000000002', identityType: 'AssumedRole' },
    });
    expect(r.events[2]).toMatchObject({ operation: 'GetCallerIdentity', host: 'i-0a1b2c3d4e5f60718', ref: { path, index: 2 } });
  });

  it('parse() skips exactly the damaged lines and keeps the rest', async () => {
    const path = own('broken-lines.jsonl');
    const r = await ingestFile(path);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 6]);
    expect(r.issues.map((i) => i.line)).toEqual([2, 4, 5]);
    expect(r.issues[1]!.message).toMatch(/eventTime/);
  });
});
