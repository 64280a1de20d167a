// Making log-derived text inert for each output. Every string in a report may be attacker-written.

// C0 and C1 controls, DEL, and the Unicode bidi overrides that can reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// ESC-introduced sequences (CSI, OSC, ...) removed whole, so no parameter text is left behind.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g;

/** Text safe to print on a terminal: escape sequences and control characters removed, newlines and tabs as spaces. */
export function stripTerminalControls(text: string): string {
  return text.replace(ANSI, '').replace(/[\r\n\t]/g, ' ').replace(CONTROL, '');
}
