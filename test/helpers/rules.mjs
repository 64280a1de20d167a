// Test helper (plain JS, so scripts/make-hostile-corpus.mjs can load it too): the YAML of the small
// network rules the end-to-end suites detect with, kept apart from the built-in rules.

/**
 * A one-selection network rule with one positive and one negative self-test, as YAML.
 * `selection` is the selection's line, each test a [name, event as YAML flow mapping] pair.
 */
export function networkRule(id, { title = id, selection, positive, negative }) {
  return `title: ${title}
id: ${id}
level: high
logsource:
  category: network
detection:
  selection:
    ${selection}
  condition: selection
tests:
  positive:
    - name: ${positive[0]}
      event: ${positive[1]}
  negative:
    - name: ${negative[0]}
      event: ${negative[1]}
`;
}

/** Refused traffic (deny, drop or reject): the suites' baseline rule, so their counts do not move when the built-in rules grow. */
export const deniedRule = (id) =>
  networkRule(id, {
    title: 'Refused traffic',
    selection: 'action: [deny, drop, reject]',
    positive: ['drop', '{ kind: network, action: drop }'],
    negative: ['allow', '{ kind: network, action: allow }'],
  });
