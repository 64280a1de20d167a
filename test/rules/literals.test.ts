import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { requiredLiterals } from '../../src/rules/literals.js';
import { compileSafeRegex } from '../../src/rules/regex.js';

describe('requiredLiterals()', () => {
  it('finds the literal text of the built-in command patterns', () => {
    expect(requiredLiterals('\\b(xmrig|xmr-stak|minerd)\\b')).toEqual(['xmrig', 'xmr-stak', 'minerd']);
    expect(requiredLiterals('stratum\\+(tcp|ssl|tls)://')).toEqual(['stratum+']);
    expect(requiredLiterals('\\bssh\\b[^\\n]*\\s-[a-zA-Z]*R')).toEqual(['ssh']);
    expect(requiredLiterals('169\\.254\\.169\\.254|metadata\\.google\\.internal')).toEqual(['169.254.169.254', 'metadata.google.internal']);
  });

  it('gives no prefilter when a branch has no required literal or flags change meaning', () => {
    for (const p of ['ab*c', 'x|.*', '(?i)abc', 'ab(?i)cd', '[a-z]+', '(ab)*']) expect(requiredLiterals(p), p).toBeUndefined();
    expect(requiredLiterals('a(bc)?de')).toEqual(['de']);
    expect(requiredLiterals('ab+c')).toEqual(['ab']);
  });

  it('never rules out a subject the regex matches (property, against re2js itself)', () => {
    const atom = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'ab', 'bc', '\\.', '\\+', '.', '[ab]', '\\s', '\\b', '^', '$'),
      fc.constantFrom('(a|b)', '(ab|ca)', '(?:bc)', '(a|bc)?', '(ab)*'),
    );
    const quant = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,2}');
    const branch = fc.array(fc.tuple(atom, quant).map(([a, q]) => a + q), { minLength: 1, maxLength: 5 }).map((x) => x.join(''));
    const pattern = fc.array(branch, { minLength: 1, maxLength: 3 }).map((b) => b.join('|'));
    const subject = fc.stringMatching(/^[abc .+\n]{0,12}$/);
    fc.assert(fc.property(pattern, subject, (p, s) => {
      let re: RE2JS;
      try {
        re = RE2JS.compile(p);
      } catch {
        return true; // the generator can stack quantifiers RE2 refuses
      }
      const lits = requiredLiterals(p);
      if (!lits || !re.matcher(s).find()) return true;
      return lits.some((l) => s.includes(l));
    }), { numRuns: 3000 });
  });

  it('compileSafeRegex() answers the same with and without its prefilter', () => {
    const re = compileSafeRegex('\\b(xmrig|minerd)\\b', { ignoreCase: true });
    expect(re.test('nohup ./XMRig -o pool')).toBe(true);
    expect(re.test('ls -la')).toBe(false);
  });
});
