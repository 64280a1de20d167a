import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'azure-activity';
const own = (f: string) => fixture(NAME, f);

describe('azure-activity', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() merges Start and final records of the resource-log schema into one event each', async () => {
    const path = own('synthetic-resource-log.json');
    const r = await ingestClean(path, 3);
    expect(r.container).toBe('json');
    const [denied, vm, listKeys] = r.events;
    expect(denied).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      ref: { path, index: 2 },
      timeMs: Date.parse('2024-05-14T10:40:02.500Z'),
      endMs: Date.parse('2024-05-14T10:40:02.900Z'),
      timeRaw: '2024-05-14T10:40:02.5000000Z',
      operation: 'MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE',
      actor: 'agent-runner@contoso.example',
      src: { ip: '203.0.113.77' },
      action: 'error',
      errorCode: 'Forbidden',
      fields: { status: 'Failure', statusCode: 'Forbidden', errorDetailCode: 'AuthorizationFailed', resultSignature: 'Failed.Forbidden', authzDenied: true, correlationId: 'c0ffee00-0000-4000-8000-000000000002', endTimeRaw: '2024-05-14T10:40:02.9000000Z' },
    });
    expect(vm).toMatchObject({
      ref: { path, index: 3 },
      timeMs: Date.parse('2024-05-14T10:40:00.123Z'),
      endMs: Date.parse('2024-05-14T10:40:31.765Z'),
      operation: 'MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE',
      host: 'SANDBOX-VM-01',
      action: 'allow',
      fields: { status: 'Success', category: 'Administrative' },
    });
    expect(vm!.errorCode).toBeUndefined();
    expect(listKeys).toMatchObject({ ref: { path, index: 4 }, operation: 'MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION', action: 'allow', fields: { status: 'Start', category: 'Action' } });
    expect(listKeys!.endMs).toBeUndefined();
    expect(denied!.message).toBe('MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE by agent-runner@contoso.example from 203.0.113.77 -> Forbidden');
  });

  it('parse() pairs REST export records listed newest first', async () => {
    const path = own('synthetic-rest-export.json');
    const r = await ingestClean(path, 2);
    expect(r.events[0]).toMatchObject({
      ref: { path, index: 0 },
      timeMs: Date.parse('2024-05-14T10:50:04.100Z'),
      endMs: Date.parse('2024-05-14T10:50:04.410Z'),
      operation: 'Microsoft.Network/networkSecurityGroups/securityRules/write',
      actor: 'agent-runner@contoso.example',
      src: { ip: '203.0.113.77' },
      action: 'error',
      errorCode: 'Forbidden',
      fields: { status: 'Failed', subStatus: 'Forbidden', errorDetailCode: 'AuthorizationFailed', eventDataId: 'e0000000-0000-4000-8000-000000000004', authzDenied: true },
    });
    expect(r.events[1]).toMatchObject({
      ref: { path, index: 2 },
      timeMs: Date.parse('2024-05-14T10:49:01Z'),
      endMs: Date.parse('2024-05-14T10:49:10.250Z'),
      operation: 'Microsoft.Compute/virtualMachines/runCommand/action',
      host: 'sandbox-vm-01',
      action: 'allow',
    });
  });

  it('parse() reads one record per line with line refs', async () => {
    const path = own('synthetic-eventhub-lines.jsonl');
    const r = await ingestClean(path, 1);
    expect(r.events[0]).toMatchObject({ ref: { path, line: 2 }, timeRaw: '2024-05-14T10:40:02.5000000Z', endMs: Date.parse('2024-05-14T10:40:02.900Z'), errorCode: 'Forbidden' });
  });

  it('parse() skips exactly the damaged lines and still pairs across them', async () => {
    const r = await ingestFile(own('broken-lines.jsonl'));
    expect(r.issues.map((i) => i.line)).toEqual([2, 3, 4]);
    expect(r.events.map((e) => [e.ref.line, e.timeRaw, e.endMs])).toEqual([[5, '2024-05-14T10:40:00.1234567Z', Date.parse('2024-05-14T10:40:31.765Z')]]);
  });
});
