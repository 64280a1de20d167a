// Making log-derived text inert for each output. Every string in a report may be attacker-written.

// C0 and C1 controls, DEL, and the Unicode bidi overrides that can reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// ESC-introduced sequences (CSI, OSC, ...) removed whole, so no parameter text is left behind.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;

// Every character the three replacements below can touch (ESC and CSI are C0/C1 controls): text
// without any is returned as it is, which is nearly every log line (a timeline prints millions).
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Text safe to print on a terminal: escape sequences and control characters removed, newlines and tabs as spaces. */
export function stripTerminalControls(text: string): string {
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(ANSI, '').replace(/[\r\n\t]/g, ' ').replace(CONTROL, '');
}

/** Like stripTerminalControls, but keeps line breaks (normalized to \n) and tabs: for CSV cells and code blocks. */
export function stripControlsKeepLines(text: string): string {
  // CONTROL leaves \t and \n alone; a lone CR would let a terminal overwrite the line, so it becomes \n.
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

// ---- CSV ----------------------------------------------------------------------------------

// Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), plus their
// full-width forms, which some spreadsheet locales fold to ASCII. A leading LF is included too.
const FORMULA_START = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;
const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * One CSV cell that no spreadsheet will evaluate: terminal controls removed (line breaks kept; the
 * CSV writer quotes them), and a leading `'` added when the text would start a formula. Plain
 * numbers such as `-12.5` are left alone so numeric columns stay numeric.
 */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = stripControlsKeepLines(String(value));
  if (PLAIN_NUMBER.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

// ---- HTML ---------------------------------------------------------------------------------

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '=': '&#61;', '`': '&#96;',
};

/**
 * Log-derived text for HTML element content and quoted attribute values. Besides & < > " ' this
 * also encodes = and ` so that text like `src=//host` can never read as an attribute, even to a
 * naive scanner. Terminal controls are dropped and line breaks become spaces.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  return stripTerminalControls(String(value)).replace(/[&<>"'=`]/g, (ch) => HTML_ENTITIES[ch]!);
}

/** Like escapeHtml but keeps line breaks, for <pre> blocks (commands). */
export function escapeHtmlBlock(value: unknown): string {
  if (value === undefined || value === null) return '';
  return stripControlsKeepLines(String(value)).replace(/[&<>"'=`]/g, (ch) => HTML_ENTITIES[ch]!);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and `=` as \u escapes so no
 * text (`</script>`, `<!--`) can end the block, and U+2028/2029 escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&=\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ---- Markdown -----------------------------------------------------------------------------

// CommonMark lets any ASCII punctuation be backslash-escaped. These are the ones that can start
// a link, image, emphasis, heading, list, table cell, code span, strikethrough, math or emoji.
const MD_BACKSLASH = new Set(['\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '~', '$', '=', ':']);
const MD_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Log-derived text as inert Markdown inline text: no links, images, HTML, tables, headings or
 * autolinks (`.` and `:` are escaped, which breaks `www.` and `scheme://` autolink detection).
 * `.`, `:` and `-` between two digits stay bare so times, IPs and numbers stay readable.
 * Line breaks become spaces; terminal controls are removed.
 */
export function escapeMarkdown(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = stripTerminalControls(String(value));
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const entity = MD_ENTITIES[ch];
    if (entity) out += entity;
    else if ((ch === '.' || ch === ':' || ch === '-') && /\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')) out += ch;
    else if (MD_BACKSLASH.has(ch)) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

/**
 * Log-derived text as a Markdown code span, on one line. The delimiter is one backtick longer than
 * any run inside, so the text cannot close the span. In a table cell (`inTable`) `|` becomes `\|`,
 * which GFM resolves before it parses the code span.
 */
export function markdownCode(value: unknown, inTable = false): string {
  let text = stripTerminalControls(value === undefined || value === null ? '' : String(value));
  if (inTable) text = text.replace(/\|/g, '\\|');
  if (text.trim() === '') return text === '' ? '' : `\`${text}\``;
  const fence = '`'.repeat(longestRun(text, '`') + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Log-derived text as a fenced code block (line breaks kept, controls removed). The fence is at
 * least three backticks and longer than any backtick run in the text, so no line can close it.
 */
export function markdownFence(value: unknown, info = ''): string {
  const text = stripControlsKeepLines(value === undefined || value === null ? '' : String(value)).replace(/\t/g, '    ');
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

// ---- JSON ---------------------------------------------------------------------------------

/**
 * JSON text with C1 controls, DEL and the line/paragraph separators written as \u escapes:
 * JSON.stringify escapes C0 only, and a raw C1 CSI (U+009B) would still drive a terminal that
 * shows the report. The result parses to the same value.
 */
export function jsonInert(json: string): string {
  // Most reports are plain ASCII, where DEL is the only character to escape: a length count made in
  // native code and a search for DEL spare the regular expression (a million violations: seconds).
  if (Buffer.byteLength(json) === json.length && !json.includes('\u007f')) return json;
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
