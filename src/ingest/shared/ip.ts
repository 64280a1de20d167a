// Is a text an IP address? node:net's isIP answers with regular expressions; flow logs ask it twice a
// record. A dotted quad is answered by a walk over its characters, anything else by isIP.
import { isIP } from 'node:net';

/** What net.isIP(text) returns: 4, 6 or 0 (not an address). */
export function ipVersion(text: string): number {
  return isDottedQuad(text) ? 4 : isIP(text);
}

/** Four numbers of 0–255 without leading zeros, joined by dots: the IPv4 form net.isIP accepts. */
function isDottedQuad(text: string): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let value = 0;
    while (i < n) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return false;
    parts++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 46 || parts === 4) return false;
    i++;
  }
  return parts === 4 && text.charCodeAt(n - 1) !== 46;
}
