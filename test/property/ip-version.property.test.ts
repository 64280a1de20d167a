// ipVersion answers dotted quads by walking their characters and the rest through net.isIP: its
// answers must be net.isIP's for any text, near-addresses above all.
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipVersion } from '../../src/ingest/shared/ip.js';

const part = fc.oneof(fc.integer({ min: 0, max: 999 }).map(String), fc.constantFrom('0', '00', '01', '010', '255', '256', '300', '', '1a', '-1', ' 1'));
const quadLike = fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join('.'));
const anyText = fc.array(fc.constantFrom(...'0123456789.:abcdefABCDEF%/ x'.split('')), { maxLength: 24 }).map((c) => c.join(''));

describe('ipVersion', () => {
  it('is net.isIP for dotted near-addresses, any short text and real addresses (property)', () => {
    fc.assert(fc.property(fc.oneof(quadLike, quadLike.map((q) => `${q}.`), quadLike.map((q) => `.${q}`), anyText, fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (text) => {
      expect(ipVersion(text)).toBe(isIP(text));
    }), { numRuns: 20_000 });
  });

  it('reads the edges as net.isIP does', () => {
    for (const text of ['0.0.0.0', '255.255.255.255', '256.1.1.1', '1.2.3.04', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3.4', '1..2.3', '::ffff:1.2.3.4', '::', 'fe80::1%eth0', '', '1.2.3.4 ']) {
      expect(ipVersion(text), text).toBe(isIP(text));
    }
  });
});
