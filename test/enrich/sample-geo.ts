// Test data: small GeoLite2-City and GeoLite2-ASN databases (real MMDB bytes) for the external
// addresses of samples/, shared by the in-process and the CLI GeoIP tests.
import { asnRecord, buildMmdb, cityRecord } from '../helpers/mmdb-writer.js';

export function sampleGeoDatabases(): Record<string, Buffer> {
  return {
    'GeoLite2-City.mmdb': buildMmdb([
      { cidr: '203.0.113.0/24', data: cityRecord('NL', 'Netherlands', 'Amsterdam') },
      { cidr: '198.51.100.0/24', data: cityRecord('DE', 'Germany', 'Frankfurt am Main') },
      { cidr: '45.155.205.0/24', data: cityRecord('RU', 'Russia') },
      { cidr: '185.220.101.0/24', data: cityRecord('DE', 'Germany') },
      { cidr: '47.236.0.0/16', data: cityRecord('SG', 'Singapore') },
    ], { databaseType: 'GeoLite2-City' }),
    'GeoLite2-ASN.mmdb': buildMmdb([
      { cidr: '203.0.113.0/24', data: asnRecord(64500, 'Tunnel Hosting BV') },
      { cidr: '198.51.100.0/24', data: asnRecord(64501, 'Pool Operators GmbH') },
      { cidr: '45.155.205.0/24', data: asnRecord(64502, 'Scan Networks') },
      { cidr: '185.220.101.0/24', data: asnRecord(64503, 'Relay Operators') },
      { cidr: '47.236.0.0/16', data: asnRecord(45102, 'Alibaba (US) Technology Co., Ltd.') },
    ], { databaseType: 'GeoLite2-ASN' }),
  };
}
