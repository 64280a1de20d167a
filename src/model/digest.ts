// The SHA-256 of a text in base64, for digests kept in place of texts (a call's long output, a call
// record's key). Node has crypto.hash from 20.12 (one call, no Hash object); the project runs on 20.
import crypto from 'node:crypto';

export const sha256Base64: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'base64')
  : (text) => crypto.createHash('sha256').update(text).digest('base64');
