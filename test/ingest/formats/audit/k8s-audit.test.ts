import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'k8s-audit';
const own = (f: string) => fixture(NAME, f);

describe('k8s-audit', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() turns a real pods/exec event into an exec with its command and container', async () => {
    const path = own('crowdsec-k8s-audit-pod-exec.jsonl');
    const r = await ingestClean(path, 1);
    const e = r.events[0]!;
    expect(e).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      timeMs: Date.parse('2023-05-17T15:08:22.763Z'),
      endMs: Date.parse('2023-05-17T15:08:30.619Z'),
      timeRaw: '2023-05-17T15:08:22.763960Z',
      ref: { path, line: 1 },
      operation: 'create pods/exec',
      actor: 'minikube-user',
      src: { ip: '192.168.49.1' },
      action: 'allow',
      command: '/bin/bash',
      container: 'centos',
      fields: { pod: 'test-pod-1', namespace: 'foo', code: 101, decision: 'allow', auditID: '57a794de-44d3-40ee-a0ad-c0eb096eef6c', stage: 'ResponseComplete' },
    });
    expect(e.host).toBeUndefined();
    expect(e.sandbox).toBeUndefined();
    expect(e.errorCode).toBeUndefined();
    expect(e.message).toBe('create pods/exec foo/test-pod-1 by minikube-user from 192.168.49.1: /bin/bash -> 101');
  });

  it('parse() flags a privileged pod creation in fields', async () => {
    const r = await ingestClean(own('crowdsec-k8s-audit-priv-pod.jsonl'), 1);
    expect(r.events[0]).toMatchObject({ operation: 'create pods', timeRaw: '2023-05-17T13:59:57.756152Z', fields: { privileged: true, images: 'centos', pod: 'test-pod-1', code: 201 } });
    expect(r.events[0]!.command).toBeUndefined();
  });

  it('parse() merges the stages of one request and keeps requests that never complete', async () => {
    const path = own('synthetic-stages.jsonl');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.ref.line)).toEqual([3, 5, 6]);
    const [denied, exec, watch] = r.events;
    expect(denied).toMatchObject({
      operation: 'get secrets',
      action: 'error',
      errorCode: 'Forbidden',
      actor: 'system:serviceaccount:agents:sandbox-runner',
      timeMs: Date.parse('2024-05-14T10:15:01Z'),
      endMs: Date.parse('2024-05-14T10:15:01.004Z'),
      fields: { authzDenied: true, code: 403, reason: 'Forbidden', decision: 'forbid', namespace: 'agents', name: 'db-creds' },
    });
    expect(denied!.fields!.pod).toBeUndefined();
    expect(exec).toMatchObject({
      operation: 'create pods/exec',
      timeMs: Date.parse('2024-05-14T10:15:00.120Z'),
      endMs: Date.parse('2024-05-14T10:15:03.650Z'),
      command: 'sh -c "curl -s http://169.254.169.254/latest/meta-data/"',
      container: 'runner',
      fields: { stage: 'ResponseComplete', pod: 'sandbox-0' },
    });
    expect(watch).toMatchObject({ operation: 'watch pods', action: 'allow', fields: { stage: 'ResponseStarted' }, endMs: Date.parse('2024-05-14T10:15:04.002Z') });
  });

  it('parse() reads an EventList document with index refs', async () => {
    const path = own('synthetic-eventlist.json');
    const r = await ingestFile(path);
    expect(r.container).toBe('json');
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.ref)).toEqual([{ path, index: 0 }, { path, index: 1 }]);
    expect(r.events.map((e) => e.operation)).toEqual(['get secrets', 'create pods/exec']);
  });

  it('parse() skips exactly the damaged lines', async () => {
    const r = await ingestFile(own('broken-lines.jsonl'));
    expect(r.issues.map((i) => i.line)).toEqual([2, 3, 6]);
    expect(r.events.map((e) => [e.ref.line, e.operation])).toEqual([
      [4, 'create pods/exec'],
      [7, 'watch pods'],
    ]);
  });
});
