// Types for rules.mjs, which stays plain JS for the corpus script.
export interface NetworkRuleParts {
  title?: string;
  selection: string;
  positive: [name: string, event: string];
  negative: [name: string, event: string];
}
export declare function networkRule(id: string, parts: NetworkRuleParts): string;
export declare function deniedRule(id: string): string;
