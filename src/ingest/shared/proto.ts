// IANA protocol numbers as the flow and firewall formats print them, mapped to the names events carry.
// Each format adds its own vendor spellings on top (netfilter names, Azure letters, Suricata words).

/** The protocol numbers that have a name in events; any other number stays as its decimal text. */
export const IP_PROTOCOL_NAMES: Readonly<Record<string, string>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp' };
