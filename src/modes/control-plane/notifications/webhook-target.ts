// Where a webhook may be sent, and the request that goes there. An organization's admin chooses the URL and
// reads up to 4000 characters of each answer, so the control plane must not become a way into the network
// it runs in: an address that is not public unicast (private, link-local, unique-local, carrier-grade NAT,
// unspecified, multicast, documentation and other reserved ranges, and IPv6 forms that embed an IPv4 address
// such as ::ffff:10.0.0.1, NAT64 or 6to4) is refused. Loopback stays allowed: a receiver on this machine is
// the documented plain-HTTP case. An operator who wants intranet receivers allows private networks
// (WEBHOOK_ALLOW_PRIVATE_NETWORKS); multicast, broadcast and unspecified addresses are never receivers.
//
// The rule applies twice: to an IP literal when the URL is saved, and to every address the host name
// resolves to when a delivery is sent. The request then goes to the address that was checked (the URL's
// host travels in the Host header and as the TLS server name, so the certificate is still verified against
// the name), so an answer that changes between the check and the connection (DNS rebinding) cannot move it.
// Address classification is ipaddr.js's (docs/adr/0056-webhook-targets-public-addresses-ipaddr.md).
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address a host name resolves to (the system resolver in production). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface TargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: the operator lets receivers on internal networks through. */
  allowPrivateNetworks: boolean;
  resolve?: Resolver;
}

/** A request the policy refused before anything was sent. */
export class RefusedTarget extends Error {}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");
const NEVER_RECEIVERS = new Set(["unspecified", "multicast", "broadcast"]);
const RANGE_NAMES: Record<string, string> = {
  private: "a private (RFC 1918) address",
  linkLocal: "a link-local address",
  uniqueLocal: "a unique-local address",
  carrierGradeNat: "a carrier-grade NAT address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
};

/** Why `address` may not receive webhooks under the policy, or null when it may. */
export function addressProblem(address: string, allowPrivateNetworks: boolean): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  // process(): an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it reaches.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === "loopback") return null;
  const isPublic = range === "unicast" && (parsed.kind() === "ipv4" || parsed.match(GLOBAL_UNICAST_V6));
  if (isPublic || (allowPrivateNetworks && !NEVER_RECEIVERS.has(range))) return null;
  return `${address} is ${RANGE_NAMES[range] ?? "not a public address"}`;
}

/** The URL's host without IPv6 brackets, as the URL parser normalized it (0x0a.0.0.1 → 10.0.0.1). */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/** Save time: the problem with the URL's host when it is an IP literal; names are checked when sent. */
export function literalProblem(url: URL, allowPrivateNetworks: boolean): string | null {
  const host = bareHost(url);
  return isIP(host) === 0 ? null : addressProblem(host, allowPrivateNetworks);
}

/** Rejects when the signal aborts, so a resolver that hangs is bounded by the delivery's timeout. */
function bounded<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/**
 * `fetch` to a webhook URL under the policy: the host is resolved once, every address it resolves to is
 * checked (a name answering with both a public and an internal address is refused), and the request goes
 * to the first one. Throws RefusedTarget when the policy refuses; transport errors as fetch throws them.
 */
export async function pinnedFetch(
  raw: string,
  init: RequestInit & { signal?: AbortSignal },
  policy: TargetPolicy,
  /** Extra trust anchors for the receiver's certificate (tests; an operator uses NODE_EXTRA_CA_CERTS). */
  ca?: string,
): Promise<Response> {
  const url = new URL(raw);
  const host = bareHost(url);
  const literal = isIP(host) !== 0;
  const addresses = literal
    ? [{ address: host, family: isIP(host) }]
    : await bounded((policy.resolve ?? systemResolver)(host), init.signal ?? undefined);
  if (addresses.length === 0) throw new Error(`${host} resolves to no address`);
  for (const { address } of addresses) {
    const problem = addressProblem(address, policy.allowPrivateNetworks);
    if (problem === null) continue;
    // For a name, the answer is not repeated to the organization (it would map the operator's DNS).
    throw new RefusedTarget(
      literal ? problem : `${host} resolves to an address that is not public (loopback excepted)`,
    );
  }
  const chosen = addresses[0]!;
  const target = new URL(url);
  target.hostname = chosen.family === 6 ? `[${chosen.address}]` : chosen.address;
  const tls = { ...(literal ? {} : { serverName: host }), ...(ca ? { ca } : {}) };
  return fetch(target, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), host: url.host },
    tls,
  } as RequestInit);
}
