// Rule regexes run on re2js, a linear-time engine: a hostile pattern in a rule or a hostile
// string in a log cannot make matching backtrack for ever (no catastrophic backtracking exists there).
import { RE2JS } from 're2js';
import { requiredLiterals } from './literals.js';

export interface SafeRegex {
  source: string;
  test(text: string): boolean;
}

/** Compiles a pattern in RE2 syntax; throws a plain Error with the reason when it is invalid. */
export function compileSafeRegex(source: string, flags: { ignoreCase?: boolean; multiline?: boolean; dotAll?: boolean } = {}): SafeRegex {
  let f = 0;
  if (flags.ignoreCase) f |= RE2JS.CASE_INSENSITIVE;
  if (flags.multiline) f |= RE2JS.MULTILINE;
  if (flags.dotAll) f |= RE2JS.DOTALL;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, f);
  } catch (err) {
    throw new Error(`invalid regular expression /${source}/: ${(err as Error).message} (rules use RE2 syntax: no look-around or back-references)`);
  }
  // Most subjects lack the pattern's literal text: `includes` rules them out without the engine.
  const literals = requiredLiterals(source)?.map((l) => (flags.ignoreCase ? l.toLowerCase() : l));
  if (!literals) return { source, test: (text) => re.matcher(text).find() };
  return {
    source,
    test: (text) => {
      const subject = flags.ignoreCase ? text.toLowerCase() : text;
      return literals.some((l) => subject.includes(l)) && re.matcher(text).find();
    },
  };
}
