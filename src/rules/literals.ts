// A cheap necessary condition for a regex: literal text any match must contain (`xmrig|minerd`,
// `stratum\+`). Testing `includes` first skips the regex engine for most subjects. Conservative:
// anything it does not fully understand yields no prefilter, never a wrong one.

/** Alternatives of which every match contains at least one, or undefined when none can be derived. */
export function requiredLiterals(source: string): string[] | undefined {
  if (/\(\?[a-zA-Z]/.test(source)) return undefined; // inline flags or named groups: literals may change meaning
  const branches = splitTopLevel(source);
  if (!branches) return undefined;
  const out: string[] = [];
  for (const branch of branches) {
    const best = bestRequirement(branch);
    if (!best) return undefined;
    out.push(...best);
  }
  return out;
}

/** Splits on `|` outside groups and classes; undefined when brackets do not balance. */
function splitTopLevel(source: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0, inClass = false, start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0 || inClass) return undefined;
  parts.push(source.slice(start));
  return parts;
}

const QUANTIFIER = /^[*+?{]/;
const LITERAL_ESCAPE = /^[^A-Za-z0-9]$/;

/** The requirement of one branch with the longest shortest literal: a literal run, or a group of literal alternatives. */
function bestRequirement(branch: string): string[] | undefined {
  const candidates: string[][] = [];
  let run = '';
  const endRun = () => {
    if (run.length >= 2) candidates.push([run]);
    run = '';
  };
  for (let i = 0; i < branch.length; i++) {
    const c = branch[i]!;
    if (c === '(') {
      const close = matchingParen(branch, i);
      if (close < 0) return undefined;
      endRun();
      const inner = branch.slice(i + 1, close).replace(/^\?:/, '');
      const optional = /^[*?]|^\{0/.test(branch.slice(close + 1));
      const alternatives = inner.split('|');
      if (!optional && !inner.startsWith('?') && alternatives.every((a) => /^[A-Za-z0-9 _\-/:=@]+$/.test(a))) {
        if (Math.min(...alternatives.map((a) => a.length)) >= 2) candidates.push(alternatives);
      }
      i = close;
      if (QUANTIFIER.test(branch.slice(i + 1))) i = skipQuantifier(branch, i + 1);
      continue;
    }
    let literal: string | undefined;
    let width = 1;
    if (c === '\\') {
      const next = branch[i + 1];
      if (next !== undefined && LITERAL_ESCAPE.test(next)) literal = next;
      width = 2;
    } else if (!'.[]^$|)*+?{}'.includes(c)) literal = c;
    if (c === '[') {
      const end = branch.indexOf(']', i + 2);
      if (end < 0) return undefined;
      width = end - i + 1;
    }
    const after = branch.slice(i + width);
    const quantified = QUANTIFIER.test(after);
    if (literal === undefined) endRun();
    else if (quantified) {
      // `a+` still needs one `a`, but `a*`, `a?` and `a{0,…}` do not: end the run before it.
      if (after[0] === '+') run += literal;
      endRun();
    } else run += literal;
    i += width - 1;
    if (quantified) i = skipQuantifier(branch, i + 1);
  }
  endRun();
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => Math.min(...b.map((x) => x.length)) - Math.min(...a.map((x) => x.length)));
  return candidates[0];
}

function matchingParen(text: string, open: number): number {
  let depth = 0, inClass = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Index of the last character of the quantifier starting at `at` (`*`, `+?`, `{2,5}`). */
function skipQuantifier(text: string, at: number): number {
  let i = at;
  if (text[i] === '{') {
    const end = text.indexOf('}', i);
    i = end < 0 ? i : end;
  }
  if (text[i + 1] === '?' || text[i + 1] === '+') i++;
  return i;
}
