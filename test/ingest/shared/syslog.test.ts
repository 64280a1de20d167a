import { describe, expect, it } from 'vitest';
import { parseSyslogHeader, splitTag, SyslogClock } from '../../../src/ingest/shared/syslog.js';

const clock = (tz = 'UTC', year = 2026) => new SyslogClock({ tz, yearFor: () => year });

describe('parseSyslogHeader()', () => {
  it('reads RFC 3164 with and without <PRI>, keeping the timestamp text and the hostname', () => {
    expect(parseSyslogHeader('<161>Oct 10 07:25:12 fw-1 kernel: hello', clock())).toEqual({
      timeMs: Date.parse('2026-10-10T07:25:12Z'),
      timeRaw: 'Oct 10 07:25:12',
      style: 'rfc3164',
      pri: 161,
      host: 'fw-1',
      rest: 'kernel: hello',
    });
    expect(parseSyslogHeader('Jun  8 14:34:33 sd-1 kernel: x', clock('Europe/Paris', 2020))).toMatchObject({ timeMs: Date.parse('2020-06-08T12:34:33Z'), timeRaw: 'Jun  8 14:34:33', host: 'sd-1' });
  });

  it('does not take a tag, a bracketed prefix or a key=value token for the hostname', () => {
    expect(parseSyslogHeader('Jan  8 03:37:09 DENY: IN=eth0', clock())).toMatchObject({ rest: 'DENY: IN=eth0' });
    expect(parseSyslogHeader('Jan  8 03:37:09 DENY: IN=eth0', clock())!.host).toBeUndefined();
    expect(parseSyslogHeader('Jan  8 03:37:09 [UFW BLOCK] IN=eth0', clock())!.host).toBeUndefined();
    expect(parseSyslogHeader('Jan  8 03:37:09 IN=eth0 OUT=', clock())!.host).toBeUndefined();
  });

  it('reads ISO headers with their offset and RFC 5424 with NIL values, structured data and a BOM', () => {
    expect(parseSyslogHeader('<6>2021-03-12T14:10:18+02:00 host-a kernel: x', clock())).toMatchObject({ style: 'iso', pri: 6, timeMs: Date.parse('2021-03-12T12:10:18Z'), timeRaw: '2021-03-12T14:10:18+02:00', host: 'host-a', rest: 'kernel: x' });
    expect(parseSyslogHeader('<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - [meta sequenceId="1" note="a \\] b"][x y="z"] 10,,,', clock())).toEqual({
      timeMs: Date.parse('2022-09-06T16:37:34Z'),
      timeRaw: '2022-09-06T18:37:34+02:00',
      style: 'rfc5424',
      pri: 134,
      host: 'opnsense',
      app: 'filterlog',
      procId: '69805',
      rest: '10,,,',
    });
    expect(parseSyslogHeader('<13>1 2026-03-02T10:00:00Z - - - - - \uFEFFhello', clock())).toMatchObject({ host: undefined, app: undefined, rest: 'hello' });
  });

  it('returns undefined for lines without a readable header', () => {
    for (const bad of ['garbage', 'Jxn  8 14:34:33 h k: x', 'Sep 99 10:38:14 h k: x', '<999>Oct 10 07:25:12 h k: x', '<134>1 - host app - - - msg', '<134>1 2022-09-06T18:37:34Z h a p m [unclosed']) {
      expect(parseSyslogHeader(bad, clock()), bad).toBeUndefined();
    }
  });
});

describe('splitTag()', () => {
  it('splits program and pid off an RFC 3164 message', () => {
    expect(splitTag('filterlog[1234]: 53,,,')).toEqual({ app: 'filterlog', procId: '1234', msg: '53,,,' });
    expect(splitTag('filterlog: 53,,,')).toEqual({ app: 'filterlog', procId: undefined, msg: '53,,,' });
    expect(splitTag('no tag here')).toBeUndefined();
  });
});
