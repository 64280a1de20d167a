import { describe, expect, it } from 'vitest';
import { expectDamagedLines, expectIndexRefs, ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'gcp-audit';
const own = (f: string) => fixture(NAME, f);
const SA = 'sandbox-runner@agent-lab-421907.iam.gserviceaccount.com';

describe('gcp-audit', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() reads LogEntry JSON lines with exact first and last records', async () => {
    const path = own('synthetic-audit.jsonl');
    const r = await ingestClean(path, 4);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      timeMs: Date.parse('2024-05-14T10:20:01.118Z'),
      timeRaw: '2024-05-14T10:20:01.118447Z',
      ref: { path, line: 1 },
      operation: 'v1.compute.instances.insert',
      actor: SA,
      src: { ip: '34.118.20.7' },
      host: 'miner-01',
      action: 'allow',
      fields: {
        serviceName: 'compute.googleapis.com',
        resourceType: 'gce_instance',
        'resource.instance_id': '4471829301120938112',
        'resource.project_id': 'agent-lab-421907',
        permission: 'compute.instances.create',
        operationId: 'operation-1715682000111-61861e0e5c4a1-4b6f1e2c-8a3d5f70',
      },
    });
    expect(first.errorCode).toBeUndefined();
    expect(first.message).toBe(`v1.compute.instances.insert [compute.googleapis.com] by ${SA} from 34.118.20.7`);
    const last = r.events[3]!;
    expect(last).toMatchObject({
      timeMs: Date.parse('2024-05-14T10:22:45.991Z'),
      ref: { path, line: 4 },
      operation: 'google.iam.credentials.v1.IAMCredentials.GenerateAccessToken',
      action: 'error',
      errorCode: 'UNAUTHENTICATED',
      src: { ip: '203.0.113.99' },
      fields: { statusCode: 16, authzDenied: true },
    });
    expect(last.actor).toBeUndefined();
    expect(last.host).toBeUndefined();
  });

  it('parse() maps status code 7 and explicit granted=false to PERMISSION_DENIED', async () => {
    const r = await ingestFile(own('synthetic-audit.jsonl'));
    expect(r.events[1]).toMatchObject({ operation: 'storage.objects.get', action: 'error', errorCode: 'PERMISSION_DENIED', fields: { statusCode: 7, statusMessage: 'PERMISSION_DENIED', permission: 'storage.objects.get', authzDenied: true } });
    expect(r.events[2]).toMatchObject({ operation: 'SetIamPolicy', action: 'error', errorCode: 'PERMISSION_DENIED', fields: { callerIp: 'private', permission: 'resourcemanager.projects.setIamPolicy' } });
    expect(r.events[2]!.src).toBeUndefined();
  });

  it('parse() reads a gcloud JSON array with index refs', async () => {
    await expectIndexRefs(own('synthetic-gcloud-read.json'), ['v1.compute.instances.insert', 'storage.objects.get']);
  });

  it('parse() skips exactly the damaged lines', async () => {
    await expectDamagedLines(own('broken-lines.jsonl'), [2, 3, 4], [1, 5]);
  });
});
