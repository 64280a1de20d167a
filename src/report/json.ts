// --format json: the contract's report object, pretty-printed, in a fixed key order. Written in
// pieces (one per violation) so reports with millions of violations never become one giant string;
// the bytes are exactly JSON.stringify(report, null, 2).
import type { Report, Violation, ViolationSource } from '../model/report.js';
import { jsonStringEnd } from '../model/json-text.js';
import { jsonInert } from './escape.js';
import { joinChunks, violationBatches, type ReportRenderer, type ReportStream } from './renderer.js';

const PLACEHOLDER = '\u0000violations\u0000';
/**
 * Violations per piece: about 70 KB of text. Pieces of megabytes went to V8's large-object space and
 * piled up as garbage until a full collection (a 60 MB report raised the peak memory by 250 MB).
 */
const PER_CHUNK = 16;
/** A piece as JSON.stringify nests it in the report: `{"v": [...]}` indents the items by four spaces. */
const OPEN = '{\n  "v": [\n';
const CLOSE = '\n  ]\n}';

/** Each violation as the report nests it, a piece at a time: from objects, or re-indented from JSON texts. */
async function* violationPieces(report: Report, all?: ViolationSource): AsyncGenerator<string> {
  if (all) {
    for await (const texts of all.texts()) {
      for (let i = 0; i < texts.length; i += PER_CHUNK) yield jsonInert(texts.slice(i, i + PER_CHUNK).map((t) => indentJson(t, ITEM_INDENT)).join(',\n'));
    }
    return;
  }
  for await (const batch of violationBatches(report)) {
    for (let i = 0; i < batch.length; i += PER_CHUNK) yield nested(batch.slice(i, i + PER_CHUNK));
  }
}

/** Violations as JSON.stringify(report, null, 2) prints them inside the report's list. */
function nested(violations: readonly Violation[]): string {
  const text = JSON.stringify({ v: violations }, null, 2);
  return jsonInert(text.slice(OPEN.length, text.length - CLOSE.length));
}

async function* jsonChunks(report: Report, all?: ViolationSource): AsyncGenerator<string> {
  if (report.violations.length === 0 && !all) {
    yield jsonInert(JSON.stringify(report, null, 2)) + '\n';
    return;
  }
  const { before, after } = skeletonAround(report);
  let first = true;
  for await (const part of violationPieces(report, all)) {
    yield (first ? before + '[\n' : ',\n') + part;
    first = false;
  }
  // No violations after all: the empty list as JSON.stringify prints it.
  yield (first ? before + '[]' : '\n  ]') + after + '\n';
}

/** The report's text around its violations: the skeleton with the placeholder where they go. */
function skeletonAround(fields: object): { before: string; after: string } {
  const skeleton = jsonInert(JSON.stringify({ ...fields, violations: PLACEHOLDER }, null, 2));
  const marker = JSON.stringify(PLACEHOLDER);
  const at = skeleton.indexOf(marker);
  return { before: skeleton.slice(0, at), after: skeleton.slice(at + marker.length) };
}

/** The report as jsonChunks prints it, in the parts a streamed report writes (the head's fields come first in a report). */
const jsonStream: ReportStream = {
  begin: (head) => skeletonAround(head).before,
  violation: (v, first) => (first ? '[\n' : ',\n') + nested([v]),
  end: (report, any) => (any ? '\n  ]' : '[]') + skeletonAround(report).after + '\n',
};

export const jsonRenderer: ReportRenderer = {
  name: 'json',
  description: 'the full report as one JSON object (schema agent-forensics.report/v1)',
  chunks: (report, _options, all) => jsonChunks(report, all),
  stream: () => jsonStream,
  render: (report) => joinChunks(jsonChunks(report)),
};

/** Where the report's violations sit: two levels deep, four spaces. */
const ITEM_INDENT = '    ';
const STEP = '  ';

/**
 * JSON.stringify(value, null, 2) nested at `indent`, from the compact text JSON.stringify(value)
 * wrote: the same bytes without parsing the text back (spilled violations are printed this way).
 * Outside strings compact JSON has no white space, so every brace, bracket, comma and colon is
 * structure; strings are copied whole.
 */
export function indentJson(compact: string, indent: string): string {
  const breaks: string[] = [];
  const lineAt = (depth: number) => (breaks[depth] ??= '\n' + indent + STEP.repeat(depth));
  let out = indent;
  let depth = 0;
  let i = 0;
  const n = compact.length;
  while (i < n) {
    const c = compact.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = jsonStringEnd(compact, i);
      out += compact.slice(i, end);
      i = end;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const next = compact.charCodeAt(i + 1);
      if (next === c + 2) {
        // {} and [] stay on one line
        out += compact.slice(i, i + 2);
        i += 2;
      } else {
        out += compact[i] + lineAt(++depth);
        i++;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      out += lineAt(--depth) + compact[i];
      i++;
    } else if (c === 44 /* , */) {
      out += ',' + lineAt(depth);
      i++;
    } else if (c === 58 /* : */) {
      out += ': ';
      i++;
    } else {
      // a number, true, false or null: up to the next structural character
      let end = i + 1;
      while (end < n && !isStructural(compact.charCodeAt(end))) end++;
      out += compact.slice(i, end);
      i = end;
    }
  }
  return out;
}

const isStructural = (c: number) => c === 44 || c === 58 || c === 93 || c === 125;
