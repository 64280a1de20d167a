import { describe, expect, it } from 'vitest';
import { suricataEveFormat } from '../../../../src/ingest/formats/firewall/suricata-eve.js';
import { headOf, ingestClean, itClaimsOnlyItsFixtures, parseTexts } from '../../../helpers/format-fixtures.js';
import { fixture, ingestFile } from '../../../helpers/ingest.js';

const NAME = 'suricata-eve';
const own = (f: string) => fixture(NAME, f);

describe('suricata-eve', () => {
  itClaimsOnlyItsFixtures(NAME);

  it('probe() scores 0 on JSON lines that only resemble EVE', () => {
    expect(suricataEveFormat.probe(headOf('{"event_type":"alert","src_ip":"1.2.3.4","dest_ip":"5.6.7.8"}\n'))).toBe(0);
    expect(suricataEveFormat.probe(headOf('{"timestamp":"2022-07-12T06:22:33.415742+0000","src_ip":"1.2.3.4","dest_ip":"5.6.7.8"}\n'))).toBe(0);
    expect(suricataEveFormat.probe(headOf('{"timestamp":"soon","event_type":"alert","src_ip":"1.2.3.4","dest_ip":"5.6.7.8"}\n'))).toBe(0);
  });

  it('parse() reads alerts with signature, category and severity (1 is the highest)', async () => {
    const path = own('crowdsec-suricata-eve-detect.json');
    const r = await ingestClean(path, 4);
    expect(r.events[0]).toMatchObject({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-07-12T06:22:33.415Z'),
      timeRaw: '2022-07-12T06:22:33.415742+0000',
      ref: { path, line: 1 },
      src: { ip: '1.2.3.4', port: 33270 },
      dst: { ip: '1.2.3.5', port: 80 },
      proto: 'tcp',
      action: 'alert',
      message: 'ALERT TCP 1.2.3.4:33270 -> 1.2.3.5:80 [1:2034125] ET EXPLOIT Apache HTTP Server 2.4.49 - Path Traversal Attempt (CVE-2021-41773) M2',
      fields: {
        event_type: 'alert',
        signature: 'ET EXPLOIT Apache HTTP Server 2.4.49 - Path Traversal Attempt (CVE-2021-41773) M2',
        signature_id: 2034125,
        category: 'Attempted Administrator Privilege Gain',
        severity: 1,
        alert_action: 'allowed',
        http_method: 'POST',
        url: '/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh',
        status: 400,
      },
    });
    // The HTTP Host header is an address literal here: it names no domain.
    expect(r.events[0]!.dst!.domain).toBeUndefined();
    expect(r.events[0]!.host).toBeUndefined();
    expect(r.events[3]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-07-12T11:26:36.407Z'),
      timeRaw: '2022-07-12T11:26:36.407881+0000',
      ref: { path, line: 4 },
      src: { ip: '2.2.3.4', port: 5164 },
      dst: { ip: '2.2.3.5', port: 5060 },
      proto: 'tcp',
      action: 'alert',
      message: 'ALERT TCP 2.2.3.4:5164 -> 2.2.3.5:5060 [1:2011718] ET SCAN Sipvicious User-Agent Detected (friendly-scanner)',
      fields: {
        event_type: 'alert',
        in_iface: 'eth0',
        flow_id: 274125657094473,
        app_proto: 'sip',
        signature: 'ET SCAN Sipvicious User-Agent Detected (friendly-scanner)',
        signature_id: 2011718,
        gid: 1,
        rev: 3,
        category: 'Attempted Information Leak',
        severity: 2,
        alert_action: 'allowed',
        bytes_toserver: 448,
        bytes_toclient: 0,
      },
    });
  });

  it('parse() reads flows as their flow.start → flow.end window and emits nothing for stats', async () => {
    const path = own('crowdsec-suricata-evelog.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([]);
    // 8 records: 4 alerts, 2 flows, 2 stats.
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 2, 3, 5, 6, 8]);
    expect(r.events.map((e) => e.action)).toEqual(['alert', 'alert', 'allow', 'alert', 'allow', 'alert']);
    expect(r.events[0]).toMatchObject({ timeRaw: '2022-07-10T23:50:05.533101+0000', fields: { signature_id: 2024468, severity: 1, community_id: 'xx', in_iface: 'bond0' } });
    expect(r.events[2]).toEqual({
      kind: 'network',
      source: 'firewall',
      format: NAME,
      timeMs: Date.parse('2022-07-11T05:48:21.714Z'),
      endMs: Date.parse('2022-07-11T05:48:21.733Z'),
      timeRaw: '2022-07-11T05:48:21.714860+0000',
      ref: { path, line: 3 },
      src: { ip: '1.2.3.6', port: 56814 },
      dst: { ip: '127.0.0.1', port: 2352 },
      proto: 'tcp',
      action: 'allow',
      message: 'FLOW TCP 1.2.3.6:56814 -> 127.0.0.1:2352',
      fields: { event_type: 'flow', in_iface: 'eth0', flow_id: 883709815679084, flow_state: 'closed', flow_reason: 'timeout', bytes_toserver: 108, bytes_toclient: 54 },
    });
    // This sanitized flow ends before it starts: the window end is dropped rather than inverted.
    expect(r.events[4]).toMatchObject({ timeMs: Date.parse('2022-07-12T05:48:21.714Z'), timeRaw: '2022-07-12T05:48:21.714860-0000' });
    expect(r.events[4]!.endMs).toBeUndefined();
    expect(r.events[5]).toMatchObject({ timeMs: Date.parse('2022-07-12T06:09:52.602Z'), timeRaw: '2022-07-12T06:09:52.602489-0000', ref: { path, line: 8 }, action: 'alert' });
  });

  it('parse() sets dst.domain from dns rrname, tls sni and http hostname, and host from the sensor name', async () => {
    const { events, skips } = await parseTexts(suricataEveFormat, [
      '{"timestamp":"2018-07-05T15:51:20.213418-0400","flow_id":1,"event_type":"dns","src_ip":"192.168.86.85","src_port":39464,"dest_ip":"192.168.86.1","dest_port":53,"proto":"UDP","host":"sensor-1","dns":{"type":"query","id":1,"rrname":"pool.supportxmr.com","rrtype":"A","tx_id":0}}',
      '{"timestamp":"2018-07-05T15:51:21.000000-0400","event_type":"dns","src_ip":"192.168.86.1","src_port":53,"dest_ip":"192.168.86.85","dest_port":39464,"proto":"UDP","dns":{"version":2,"type":"answer","rrname":"pool.supportxmr.com","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"pool.supportxmr.com","rrtype":"A","ttl":60,"rdata":"198.51.100.20"}]}}',
      '{"timestamp":"2018-07-05T15:51:50.666597-0400","event_type":"tls","src_ip":"192.168.86.85","src_port":56187,"dest_ip":"17.142.164.13","dest_port":443,"proto":"TCP","tls":{"sni":"p33-btmmdns.icloud.com.","version":"TLS 1.2"}}',
      '{"timestamp":"2018-07-05T15:43:47.690014-0400","event_type":"http","src_ip":"192.168.86.85","src_port":56119,"dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","http":{"hostname":"ngrok.example","url":"/x","http_method":"GET","status":200}}',
      '{"timestamp":"2018-07-05T15:43:48.000000-0400","event_type":"drop","src_ip":"10.0.0.5","src_port":40000,"dest_ip":"198.51.100.20","dest_port":3333,"proto":"6"}',
      '{"timestamp":"2018-07-05T15:43:49.000000-0400","event_type":"anomaly","src_ip":"10.0.0.5","dest_ip":"198.51.100.20","proto":"UDP","anomaly":{"type":"decode","event":"ipv4.trunc_pkt"}}',
    ]);
    expect(skips).toEqual([]);
    expect(events[0]).toMatchObject({ host: 'sensor-1', dst: { ip: '192.168.86.1', port: 53, domain: 'pool.supportxmr.com' }, proto: 'udp', action: 'allow', timeMs: Date.parse('2018-07-05T19:51:20.213Z') });
    expect(events[1]).toMatchObject({ dst: { domain: 'pool.supportxmr.com' }, fields: { dns_type: 'answer', rcode: 'NOERROR', output: '198.51.100.20' } });
    expect(events[2]!.dst).toEqual({ ip: '17.142.164.13', port: 443, domain: 'p33-btmmdns.icloud.com' });
    expect(events[3]).toMatchObject({ dst: { domain: 'ngrok.example' }, message: 'HTTP TCP 192.168.86.85:56119 -> 203.0.113.9:80 GET ngrok.example/x' });
    expect(events[4]).toMatchObject({ action: 'drop', proto: 'tcp' });
    expect(events[5]!.action).toBeUndefined();
  });

  it('parse() skips damaged records at their exact line numbers', async () => {
    const path = own('broken-lines.json');
    const r = await ingestFile(path);
    expect(r.issues).toEqual([
      { path, line: 2, message: 'not valid JSON: Unexpected end of JSON input' },
      { path, line: 3, message: 'not a JSON object' },
      { path, line: 4, message: "EVE record without a valid timestamp: 'yesterday'" },
      { path, line: 5, message: 'EVE record without event_type' },
    ]);
    // Line 6 is a stats record (no event, not a failure); line 7 is empty.
    expect(r.events.map((e) => e.ref.line)).toEqual([1, 8]);
  });
});
