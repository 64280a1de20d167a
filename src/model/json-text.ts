// Walking JSON text without parsing it (a report can be longer than one string or one parse).

/** The index just past the closing quote of the JSON string that opens at `start` (the text's end if it is cut). */
export function jsonStringEnd(text: string, start: number): number {
  for (let q = text.indexOf('"', start + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
  }
  return text.length;
}
