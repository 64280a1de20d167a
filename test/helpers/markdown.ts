// Test helper: Markdown reduced to what CommonMark renders as markup, for the checks that a report
// holds no live links, images, HTML or headings outside code.

/**
 * Markdown as CommonMark renders it outside code: fenced blocks (closed only by a fence at least as
 * long) are dropped, code spans (closed only by a backtick run of the same length) become `§CODE§`.
 * Backslash escapes stay as written, or with `escapes: 'mark'` become `§ESC§`.
 */
export function markdownOutsideCode(markdown: string, escapes: 'keep' | 'mark' = 'keep'): { text: string; unclosedFence: boolean } {
  const kept: string[] = [];
  let fence: number | null = null;
  for (const line of markdown.split('\n')) {
    const run = /^(`{3,})/.exec(line)?.[1]?.length;
    if (fence !== null) {
      if (run !== undefined && run >= fence && /^`+\s*$/.test(line)) fence = null;
      continue;
    }
    if (run !== undefined) {
      fence = run;
      continue;
    }
    let out = '';
    let i = 0;
    while (i < line.length) {
      if (line[i] === '\\') {
        out += escapes === 'mark' ? '§ESC§' : line.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (line[i] !== '`') {
        out += line[i];
        i++;
        continue;
      }
      let n = 0;
      while (line[i + n] === '`') n++;
      const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
      close.lastIndex = i + n;
      const m = close.exec(line);
      if (!m) {
        out += line.slice(i, i + n);
        i += n;
        continue;
      }
      out += '§CODE§';
      i = m.index + n;
    }
    kept.push(out);
  }
  return { text: kept.join('\n'), unclosedFence: fence !== null };
}
