// The one list of input formats. Order matters only to break equal probe scores.
// Each entry is one file under formats/<kind>/ named after its contract name.
import type { InputFormat } from './format.js';
// firewall / network
// (firewall-a)
import { iptablesFormat } from './formats/firewall/iptables.js';
import { pfsenseFilterlogFormat } from './formats/firewall/pfsense-filterlog.js';
import { suricataEveFormat } from './formats/firewall/suricata-eve.js';
import { zeekConnFormat } from './formats/firewall/zeek-conn.js';
import { opensandboxEgressFormat } from './formats/firewall/opensandbox-egress.js';
// (firewall-b)
import { awsVpcFlowFormat } from './formats/firewall/aws-vpc-flow.js';
import { alibabaVpcFlowFormat } from './formats/firewall/alibaba-vpc-flow.js';
import { alibabaCloudfirewallFormat } from './formats/firewall/alibaba-cloudfirewall.js';
import { gcpFirewallFormat } from './formats/firewall/gcp-firewall.js';
import { gcpVpcFlowFormat } from './formats/firewall/gcp-vpc-flow.js';
import { azureNsgFlowFormat } from './formats/firewall/azure-nsg-flow.js';
// audit
// (audit)
import { auditdFormat } from './formats/audit/auditd.js';
import { azureActivityFormat } from './formats/audit/azure-activity.js';
import { alibabaActiontrailFormat } from './formats/audit/alibaba-actiontrail.js';
import { gcpAuditFormat } from './formats/audit/gcp-audit.js';
import { k8sAuditFormat } from './formats/audit/k8s-audit.js';
import { awsCloudtrailFormat } from './formats/audit/aws-cloudtrail.js';
// agent transcripts
// (agent-a)
import { claudeCodeFormat } from './formats/agent/claude-code.js';
import { codexFormat } from './formats/agent/codex.js';
import { rockFormat } from './formats/agent/rock.js';
import { sweAgentFormat } from './formats/agent/swe-agent.js';
import { agentEventsFormat } from './formats/agent/agent-events.js';
// (agent-b)
import { openhandsFormat } from './formats/agent/openhands.js';
import { inspectFormat } from './formats/agent/inspect.js';
import { otelGenaiFormat } from './formats/agent/otel-genai.js';
import { openaiChatFormat } from './formats/agent/openai-chat.js';
import { openaiResponsesFormat } from './formats/agent/openai-responses.js';

export const FORMATS: readonly InputFormat[] = [
  // firewall-a
  iptablesFormat,
  pfsenseFilterlogFormat,
  suricataEveFormat,
  zeekConnFormat,
  opensandboxEgressFormat,
  // firewall-b
  awsVpcFlowFormat,
  alibabaVpcFlowFormat,
  alibabaCloudfirewallFormat,
  gcpFirewallFormat,
  gcpVpcFlowFormat,
  azureNsgFlowFormat,
  // audit
  auditdFormat,
  azureActivityFormat,
  alibabaActiontrailFormat,
  gcpAuditFormat,
  k8sAuditFormat,
  awsCloudtrailFormat,
  // agent-a
  claudeCodeFormat,
  codexFormat,
  rockFormat,
  sweAgentFormat,
  agentEventsFormat,
  // agent-b
  openhandsFormat,
  inspectFormat,
  otelGenaiFormat,
  openaiChatFormat,
  openaiResponsesFormat,
];

export function formatByName(name: string): InputFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}
