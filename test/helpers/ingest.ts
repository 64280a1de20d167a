// Test helper: runs one file through the real ingest path (detect → split → parse).
import { readWhole, type ReadSettings } from '../../src/ingest/ingest.js';

export async function ingestFile(path: string, settings: Partial<ReadSettings> = {}) {
  const r = await readWhole({ path, isStdin: false }, { tz: 'UTC', ...settings });
  return { format: r.detected.format?.name, container: r.detected.head.container, scores: r.detected.scores, events: r.events, issues: r.issues, notes: r.notes, read: r.read };
}

export function fixture(...parts: string[]): string {
  return ['test', 'fixtures', ...parts].join('/');
}
