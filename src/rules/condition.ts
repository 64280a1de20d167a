// Sigma condition expressions: and / or / not, parentheses, `1 of sel_*`, `all of them`.
import type { ConditionNode } from './rule.js';

type Token = { type: 'word'; text: string } | { type: '(' | ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(\(|\)|[^\s()]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    const t = m[1]!;
    tokens.push(t === '(' || t === ')' ? { type: t } : { type: 'word', text: t });
    end = re.lastIndex;
  }
  if (text.slice(end).trim() !== '') throw new Error(`cannot read condition near '${text.slice(end)}'`);
  return tokens;
}

/** Parses a condition; throws Error naming what is wrong. Precedence: not > and > or. */
export function parseCondition(text: string): ConditionNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peekWord = () => (tokens[pos]?.type === 'word' ? (tokens[pos] as { text: string }).text.toLowerCase() : undefined);

  function parseOr(): ConditionNode {
    const nodes = [parseAnd()];
    while (peekWord() === 'or') {
      pos++;
      nodes.push(parseAnd());
    }
    return nodes.length === 1 ? nodes[0]! : { type: 'or', nodes };
  }
  function parseAnd(): ConditionNode {
    const nodes = [parseNot()];
    while (peekWord() === 'and') {
      pos++;
      nodes.push(parseNot());
    }
    return nodes.length === 1 ? nodes[0]! : { type: 'and', nodes };
  }
  function parseNot(): ConditionNode {
    if (peekWord() === 'not') {
      pos++;
      return { type: 'not', node: parseNot() };
    }
    return parseAtom();
  }
  function parseAtom(): ConditionNode {
    const tok = tokens[pos];
    if (!tok) throw new Error('condition ends too early');
    if (tok.type === '(') {
      pos++;
      const inner = parseOr();
      if (tokens[pos]?.type !== ')') throw new Error("missing ')' in condition");
      pos++;
      return inner;
    }
    if (tok.type === ')') throw new Error("unexpected ')' in condition");
    const word = (tok as { text: string }).text;
    const lower = word.toLowerCase();
    if ((lower === '1' || lower === 'all' || lower === 'any') && tokens[pos + 1]?.type === 'word' && (tokens[pos + 1] as { text: string }).text.toLowerCase() === 'of') {
      const target = tokens[pos + 2];
      if (target?.type !== 'word') throw new Error(`'${word} of' needs a selection name or 'them'`);
      pos += 3;
      return { type: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern: target.text };
    }
    if (['and', 'or', 'not', 'of'].includes(lower)) throw new Error(`unexpected '${word}' in condition`);
    pos++;
    return { type: 'ref', name: word };
  }

  const node = parseOr();
  if (pos < tokens.length) throw new Error(`unexpected '${(tokens[pos] as { text?: string }).text ?? tokens[pos]!.type}' in condition`);
  return node;
}

/** Names a condition refers to (for validation); `of` patterns are returned as patterns. */
export function conditionRefs(node: ConditionNode): { names: string[]; patterns: string[] } {
  const names: string[] = [];
  const patterns: string[] = [];
  const walk = (n: ConditionNode): void => {
    if (n.type === 'ref') names.push(n.name);
    else if (n.type === 'of') patterns.push(n.pattern);
    else if (n.type === 'not') walk(n.node);
    else n.nodes.forEach(walk);
  };
  walk(node);
  return { names, patterns };
}

export function globToTest(pattern: string): (name: string) => boolean {
  if (pattern === 'them') return () => true;
  const parts = pattern.split('*');
  return (name) => {
    if (parts.length === 1) return name === pattern;
    if (!name.startsWith(parts[0]!) || !name.endsWith(parts.at(-1)!)) return false;
    let pos = parts[0]!.length;
    for (const mid of parts.slice(1, -1)) {
      const at = name.indexOf(mid, pos);
      if (at < 0) return false;
      pos = at + mid.length;
    }
    return pos <= name.length - parts.at(-1)!.length;
  };
}
