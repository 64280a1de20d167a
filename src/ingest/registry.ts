// The one list of input formats. Order matters only to break equal probe scores.
// Each entry is one file under formats/<kind>/ named after its contract name.
import type { InputFormat } from './format.js';
// firewall / network
// (firewall-a)
// (firewall-b)
// audit
// (audit)
// agent transcripts
// (agent-a)
// (agent-b)

export const FORMATS: readonly InputFormat[] = [
  // firewall-a
  // firewall-b
  // audit
  // agent-a
  // agent-b
];

export function formatByName(name: string): InputFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
