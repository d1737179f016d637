// bitcoind's bitcoin.conf: which keys Novacula manages, which it knows (typed hints users may set), how a
// user's keys are checked, and the INI document the node runs with. Pure data and functions.
//
// Layout of the rendered file: the chain selector and the network-wide keys at the top, then one section for
// the node's network ([main], [test] or [signet]) holding the listening keys and every user key. bitcoind
// applies `bind`, `port`, `rpcbind`, `rpcport` (and `addnode`, `connect`, `wallet`) on test networks only when
// they sit in that network's section, so putting everything there works the same on every network.
import type { ErrorDetail } from "../../../protocol/errors.ts";

export const CONFIG_FILE = "bitcoin.conf";

/** Novacula's network name → bitcoind's chain name (also its config section). */
export const CHAIN_OF_NETWORK = {
  mainnet: "main",
  // Bitcoin Core 29 calls testnet3 `test` (-testnet, ports 18333/18332); testnet4 is `testnet4` (48333/48332).
  // The network `test` is testnet3, as its ports say. 29.x prints a deprecation warning for it.
  test: "test",
  signet: "signet",
} as const;
export type BitcoinNetwork = keyof typeof CHAIN_OF_NETWORK;

export const DEFAULT_PORTS: Readonly<Record<BitcoinNetwork, { p2p: number; rpc: number }>> = {
  mainnet: { p2p: 8333, rpc: 8332 },
  test: { p2p: 18333, rpc: 18332 },
  signet: { p2p: 38333, rpc: 38332 },
};

/**
 * Keys Novacula sets (listening addresses, data and config locations, RPC authentication, chain selection and
 * how the process runs under a supervisor): a user value would fight the plan or leak credentials.
 */
export const MANAGED_KEYS = [
  "bind",
  "port",
  "rpcbind",
  "rpcport",
  "rpcallowip",
  "datadir",
  "conf",
  "includeconf",
  "rpcuser",
  "rpcpassword",
  "rpcauth",
  "rpccookiefile",
  "rpccookieperms",
  "chain",
  "testnet",
  "testnet4",
  "signet",
  "regtest",
  "daemon",
  "daemonwait",
  "server",
  "printtoconsole",
] as const;

type KeyType = "integer" | "boolean" | "string" | "hex";

interface KnownKey {
  type: KeyType;
  description: string;
  min?: number;
  max?: number;
}

export const KNOWN_KEYS: Readonly<Record<string, KnownKey>> = {
  dbcache: { type: "integer", min: 4, description: "UTXO database cache in MiB (default 450)" },
  maxconnections: { type: "integer", min: 0, description: "automatic peer connections (default 125)" },
  txindex: { type: "boolean", description: "full transaction index (getrawtransaction); not with prune" },
  prune: {
    type: "integer",
    min: 0,
    description: "0 = keep all blocks, 1 = prune via RPC, >= 550 = keep block files under this many MiB",
  },
  blockfilterindex: { type: "string", description: 'compact block filter index: "basic", 1 or 0' },
  peerblockfilters: {
    type: "boolean",
    description: "serve BIP157 filters to peers (needs blockfilterindex)",
  },
  coinstatsindex: { type: "boolean", description: "coinstats index for gettxoutsetinfo" },
  mempoolfullrbf: {
    type: "boolean",
    description: "full RBF (28.x only: removed in 29.0, where it is always on and the key is ignored)",
  },
  assumevalid: { type: "hex", description: "skip script checks below this block hash (0 verifies all)" },
  par: { type: "integer", min: -15, max: 15, description: "script verification threads (0 = auto)" },
  maxmempool: { type: "integer", min: 5, description: "mempool size limit in MB (default 300)" },
};

/** Known keys that the pinned version no longer reads (kept as hints for older versions, see the fixture test). */
export const RETIRED_KEYS: Readonly<Record<string, string>> = { mempoolfullrbf: "29.0" };

type Scalar = string | number | boolean;

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function scalarProblem(value: unknown): string | null {
  if (typeof value === "string") return /[\r\n]/.test(value) ? "must be on one line" : null;
  if (typeof value === "number") return Number.isFinite(value) ? null : "must be a finite number";
  if (typeof value === "boolean") return null;
  return "must be a string, number or boolean (or a list of them, for a key bitcoind takes several times)";
}

function typeProblem(key: string, def: KnownKey, value: Scalar): string | null {
  switch (def.type) {
    case "boolean":
      return typeof value === "boolean" || value === 0 || value === 1 ? null : `${key} is true or false`;
    case "integer": {
      if (typeof value !== "number" || !Number.isInteger(value)) return `${key} is an integer`;
      if (def.min !== undefined && value < def.min) return `${key} is at least ${def.min}`;
      if (def.max !== undefined && value > def.max) return `${key} is at most ${def.max}`;
      if (key === "prune" && value > 1 && value < 550) return "prune is 0, 1 or at least 550 (MiB)";
      return null;
    }
    case "hex":
      return typeof value === "string" && /^(0|[0-9a-f]{64})$/.test(value)
        ? null
        : `${key} is a 64-digit lowercase hex block hash, or "0"`;
    case "string":
      return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? null
        : `${key} is a string`;
  }
}

const enabled = (value: unknown) => value === true || value === 1 || value === "1" || value === "basic";

/**
 * The user's bitcoin.conf keys beyond the managed-key check every adapter shares: a key bitcoind can read,
 * one line per value, the known keys' types, a negated managed key (`nobind`), and the combinations bitcoind
 * refuses to start with.
 */
export function validateConfigKeys(keys: Record<string, unknown>): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const at = (key: string) => `/overrides/files/${CONFIG_FILE}/${key}`;
  const managed: readonly string[] = MANAGED_KEYS;
  for (const [key, value] of Object.entries(keys)) {
    if (!KEY.test(key)) {
      errors.push({ path: at(key), message: "a bitcoin.conf key is letters, digits, - and _: rename it" });
      continue;
    }
    if (key.startsWith("no") && managed.includes(key.slice(2))) {
      errors.push({ path: at(key), message: `${key} negates a key managed by Novacula: remove it` });
      continue;
    }
    const values = Array.isArray(value) ? value : [value];
    const problem = values.map(scalarProblem).find((p) => p !== null);
    if (problem) {
      errors.push({ path: at(key), message: `${key} ${problem}` });
      continue;
    }
    const def = KNOWN_KEYS[key];
    if (!def) continue;
    if (Array.isArray(value)) {
      errors.push({ path: at(key), message: `${key} takes one value: remove the list` });
      continue;
    }
    const wrong = typeProblem(key, def, value as Scalar);
    if (wrong) errors.push({ path: at(key), message: `${wrong}: ${def.description}` });
  }
  const prune = keys.prune;
  if (typeof prune === "number" && prune > 0 && enabled(keys.txindex)) {
    errors.push({
      path: at("txindex"),
      message: "bitcoind refuses txindex on a pruned node: remove txindex or set prune to 0",
    });
  }
  if (enabled(keys.peerblockfilters) && !enabled(keys.blockfilterindex)) {
    errors.push({
      path: at("peerblockfilters"),
      message: 'peerblockfilters needs the filter index: also set blockfilterindex to "basic"',
    });
  }
  return errors;
}

/** bitcoind reads "true" as 0: booleans are written 1 and 0. */
function confValue(value: unknown): Scalar | Scalar[] {
  if (Array.isArray(value)) return value.map((v) => confValue(v) as Scalar);
  if (typeof value === "boolean") return value ? 1 : 0;
  return value as Scalar;
}

export interface ConfigInput {
  network: BitcoinNetwork;
  ports: { p2p: number; rpc: number };
  cookieFile: string;
  userKeys: Record<string, unknown>;
}

/** The bitcoin.conf content (an INI object: scalars at the top, one nested object per section). */
export function bitcoinConf({ network, ports, cookieFile, userKeys }: ConfigInput): Record<string, unknown> {
  const chain = CHAIN_OF_NETWORK[network];
  const section: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(userKeys)) section[key] = confValue(value);
  Object.assign(section, {
    bind: `0.0.0.0:${ports.p2p}`,
    port: ports.p2p,
    // rpcbind is ignored unless rpcallowip is set too: RPC answers on loopback only.
    rpcbind: "127.0.0.1",
    rpcallowip: "127.0.0.1",
    rpcport: ports.rpc,
  });
  return {
    chain,
    // Run in the foreground and log to stdout: the supervisor owns the process and collects its output.
    daemon: 0,
    printtoconsole: 1,
    server: 1,
    // Cookie auth: bitcoind writes a fresh random password here at every start (owner-only) and deletes it
    // on shutdown; the probe reads it. No credential is ever in the spec, the args or this file.
    rpccookiefile: cookieFile,
    [chain]: section,
  };
}
