// NetworkPolicy egress semantics for the one question a control plane without a CNI leaves
// open: would this policy admit a given TCP destination? Evaluated on the policy as the API
// server stored it, against the connections the controller was seen to hold.

export interface EgressPeer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}

export interface EgressRule {
  to?: EgressPeer[];
  ports?: Array<{ protocol?: string; port?: number }>;
}

export interface EgressPolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: string[];
  egress?: EgressRule[];
}

const ipv4 = (a: string) => a.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

export function inCidr(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(net!) / size);
}

/** Whether a rule of the policy admits TCP to `host:port` by address (peers chosen by namespace are pods, not hosts). */
export function admitsTcp(spec: EgressPolicySpec, host: string, port: number): boolean {
  return (spec.egress ?? []).some(
    (rule) =>
      (rule.ports === undefined || rule.ports.some((p) => (p.protocol ?? "TCP") === "TCP" && (p.port === undefined || p.port === port))) &&
      (rule.to === undefined || rule.to.some((peer) => peer.ipBlock !== undefined && inCidr(host, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(host, e)))),
  );
}
