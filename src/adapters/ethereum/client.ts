// What every Ethereum client folder provides: how one client (an execution or a consensus client) is invoked
// for a network and node type, the flags it owns, the ports it binds beyond its role's common ones, how long
// its database needs to close, and which versions its flags fit. The chain adapter (adapter.ts) composes an
// `el` and a `cl` from these; nothing here knows about the other client of the pair.
import type { PortSpec } from "../types.ts";

export const NETWORKS = ["mainnet", "sepolia", "hoodi"] as const;
export type EthNetwork = (typeof NETWORKS)[number];
export type EthRole = "el" | "cl";

/** Every named host port of an Ethereum node (reference §11.2), with its default. */
export const DEFAULT_PORTS = {
  rpc: 8545,
  ws: 8546,
  p2p: 30303,
  "p2p-alt": 30304,
  engine: 8551,
  metrics: 6060,
  beacon: 5052,
  "cl-p2p": 9000,
  "cl-quic": 9001,
  "cl-metrics": 5054,
  "cl-grpc": 4000,
  "private-api": 9090,
  torrent: 42069,
} as const;
export type PortName = keyof typeof DEFAULT_PORTS;

/** One named port a process binds: P2P ports listen on TCP and UDP, everything else on TCP. */
export interface PortUse {
  name: PortName;
  protocols: readonly PortSpec["protocol"][];
  exposure: PortSpec["exposure"];
}

const tcpLocal = (name: PortName): PortUse => ({ name, protocols: ["tcp"], exposure: "local" });
const p2p = (name: PortName): PortUse => ({ name, protocols: ["tcp", "udp"], exposure: "public" });

/** The ports every client of a role binds; a client adds its own in `extraPorts`. */
export const ROLE_PORTS: Readonly<Record<EthRole, readonly PortUse[]>> = {
  el: [tcpLocal("rpc"), tcpLocal("ws"), p2p("p2p"), tcpLocal("engine"), tcpLocal("metrics")],
  cl: [tcpLocal("beacon"), p2p("cl-p2p"), tcpLocal("cl-metrics")],
};
export const QUIC_PORT: PortUse = { name: "cl-quic", protocols: ["udp"], exposure: "public" };
export const localPort = tcpLocal;
export const p2pPort = p2p;

/** What a client's args are built from: everything already resolved and validated. */
export interface ClientContext {
  network: EthNetwork;
  nodeType: "full" | "archive";
  /** This client's own directory inside the node's data mount. */
  dataDir: string;
  /** The node's Engine API secret (32 bytes hex), shared by both clients. */
  jwtPath: string;
  ports: Readonly<Record<PortName, number>>;
  /** The Engine API URL of the execution client (consensus clients only). */
  engineUrl: string;
  /** The trusted beacon node to checkpoint-sync from, or null to sync from genesis. */
  checkpointUrl: string | null;
  /** The user's own arguments for this client: a flag they set replaces the client's optional default. */
  userArgs: readonly string[];
}

export interface EthClient {
  name: string;
  role: EthRole;
  /** Versions the shipped default catalog carries (the catalog may add others inside versionRange). */
  versions: readonly string[];
  versionRange: string;
  versionConstraints?: Readonly<Record<string, string>>;
  /**
   * The program inside the client's artifact when the catalog ships the client as a whole directory (a member
   * ending in "/"): the installed path is then that directory. Absent: the installed artifact is the program.
   */
  launcher?: string;
  /** Seconds a stop may take: the database must close cleanly (minutes for execution clients). */
  stopTimeoutSecs: number;
  /** Flags Novacula sets from ports, paths, network and the Engine API link: overriding them breaks the node. */
  managedFlags: readonly string[];
  knownFlags: Readonly<Record<string, { description: string }>>;
  /** Ports this client binds beyond its role's common ones. */
  extraPorts?: readonly PortUse[];
  /** The arguments after the executable, managed flags first, in a fixed order. */
  args(ctx: ClientContext): string[];
}

/** True when the user's arguments set `flag` (as "--flag", "--flag=value"). */
export function userSets(userArgs: readonly string[], flag: string): boolean {
  return userArgs.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
}

/** `values` unless the user's own arguments set `flag`: for defaults a known flag may replace. */
export function unlessUserSets(userArgs: readonly string[], flag: string, values: string[]): string[] {
  return userSets(userArgs, flag) ? [] : values;
}

/** The ports a client binds, its role's first. */
export function portsOf(client: Pick<EthClient, "role" | "extraPorts">): PortUse[] {
  return [...ROLE_PORTS[client.role], ...(client.extraPorts ?? [])];
}
