// java-tron's config.conf as a typed model: the documented mainnet and Nile configs (tron-deployment's
// main_net_config.conf and test_net_config.conf) reduced to what a full node reads, with Novacula's ports and
// data directory, and the override schema: managed paths (networking, storage location, ports) and the known
// keys users may set (TRON_USER_ALLOWED_KEYS). Key names: java-tron GreatVoyage-v4.8.0's Constant.java and
// Storage.java. The solidity and PBFT APIs and the Ethereum JSON-RPC are off: each would need ports of its own.
import type { ConfigOverrideSchema } from "../../types.ts";
import {
  MAINNET_FAST_FORWARD,
  MAINNET_GENESIS,
  MAINNET_SEED_NODES,
  NILE_FAST_FORWARD,
  NILE_GENESIS,
  NILE_SEED_NODES,
  type TronGenesis,
} from "./networks.ts";

export const CONFIG_FILE = "config.conf";

export const TRON_NETWORKS = ["mainnet", "nile"] as const;
export type TronNetwork = (typeof TRON_NETWORKS)[number];

const GIB = 1024 ** 3;

interface NetworkFacts {
  /** node.p2p.version: the network id peers must share. */
  p2pVersion: number;
  seedNodes: readonly string[];
  fastForward: readonly string[];
  genesis: TronGenesis;
  /** The JVM heap java-tron gets on this network (reference §11.3): -Xms and -Xmx. */
  heapBytes: number;
  /** Where the configs differ beyond the above. */
  needSyncCheck: boolean;
  supportConstant: boolean;
  saveInternalTx: boolean;
  merkleRoot?: Record<string, string>;
}

export const NETWORKS: Readonly<Record<TronNetwork, NetworkFacts>> = {
  mainnet: {
    p2pVersion: 11111,
    seedNodes: MAINNET_SEED_NODES,
    fastForward: MAINNET_FAST_FORWARD,
    genesis: MAINNET_GENESIS,
    heapBytes: 12 * GIB,
    needSyncCheck: true,
    supportConstant: false,
    saveInternalTx: false,
  },
  nile: {
    p2pVersion: 201910292,
    seedNodes: NILE_SEED_NODES,
    fastForward: NILE_FAST_FORWARD,
    genesis: NILE_GENESIS,
    heapBytes: 9 * GIB,
    needSyncCheck: false,
    supportConstant: true,
    saveInternalTx: true,
    // Nile's reward merkle root, as its documented config sets it.
    merkleRoot: { "reward-vi": "b474b61f93824cd70106f8f5283fa740d61b83a7d57a3c12401d627f1fae0a77" },
  },
};

/** Paths Novacula sets from the node's ports, directories and network; an override of one is refused. */
export const MANAGED_PATHS = [
  "net.type",
  "storage.db.directory",
  "storage.index.directory",
  "node.listen.port",
  "node.p2p.version",
  "node.trustNode",
  "node.rpc.port",
  "node.rpc.solidityEnable",
  "node.rpc.solidityPort",
  "node.rpc.PBFTEnable",
  "node.rpc.PBFTPort",
  "node.http.fullNodeEnable",
  "node.http.fullNodePort",
  "node.http.solidityEnable",
  "node.http.solidityPort",
  "node.http.PBFTEnable",
  "node.http.PBFTPort",
  "node.jsonrpc.httpFullNodeEnable",
  "node.jsonrpc.httpFullNodePort",
  "node.jsonrpc.httpSolidityEnable",
  "node.jsonrpc.httpSolidityPort",
  "node.jsonrpc.httpPBFTEnable",
  "node.jsonrpc.httpPBFTPort",
  "node.metrics.prometheus.enable",
  "node.metrics.prometheus.port",
  "seed.node.ip.list",
  "genesis.block",
] as const;

const bool = (description: string) => ({ type: "boolean", description });
const int = (description: string) => ({ type: "integer", description });

/** The config keys a user may set, with their types: merged into config.conf as HOCON assignments. */
export const TRON_USER_ALLOWED_KEYS: ConfigOverrideSchema["files"][string]["knownKeys"] = {
  "node.openHistoryQueryWhenLiteFN": bool("serve history queries on a lite full node"),
  "node.walletExtensionApi": bool("enable the wallet extension API"),
  "node.discovery.enable": bool("discover peers (default true)"),
  "node.discovery.persist": bool("remember discovered peers across restarts"),
  "node.isOpenFullTcpDisconnect": bool("disconnect peers that keep every slot busy"),
  "node.openTransactionSort": bool("sort pending transactions by fee"),
  "node.unsolidifiedBlockCheck": bool("stop accepting transactions when solidification lags"),
  "node.maxConnections": int("most peer connections (default 30)"),
  "node.minConnections": int("fewest peer connections sought (default 8)"),
  "node.minActiveConnections": int("fewest outbound peer connections (default 3)"),
  "node.maxConnectionsWithSameIp": int("most connections from one IP (default 2)"),
  "node.maxHttpConnectNumber": int("most concurrent HTTP API connections (default 50)"),
  "node.inactiveThreshold": int("seconds before an idle peer is dropped"),
  "node.maxTps": int("most transactions per second accepted over the API"),
  "node.maxTransactionPendingSize": int("most pending transactions"),
  "node.netMaxTrxPerSecond": int("most transactions per second relayed"),
  "node.validateSignThreadNum": int("threads verifying signatures"),
  "node.solidity.threads": int("threads of the solidity service"),
  "storage.db.sync": bool("fsync every database write (slow, safest)"),
  "storage.needToUpdateAsset": bool("migrate TRC-10 asset data at start"),
  "storage.balance.history.lookup": bool("keep balance history for historical balance queries"),
  "storage.txCache.estimatedTransactions": int("transactions the transaction cache is sized for"),
  "storage.checkpoint.version": int("database checkpoint format (2 recommended)"),
  "storage.checkpoint.sync": bool("fsync database checkpoints"),
  "storage.transHistory.switch": { type: "string", description: '"on" or "off": keep transaction history' },
  "vm.supportConstant": bool("serve constant (read-only) contract calls"),
  "vm.saveInternalTx": bool("store internal transactions"),
  "vm.saveFeaturedInternalTx": bool("store featured internal transactions (freeze, vote, ...)"),
  "vm.estimateEnergy": bool("serve energy estimation"),
  "vm.maxEnergyLimitForConstant": int("energy limit of a constant call"),
};

/** The file half of the override schema (the adapter adds the flags it manages beside the JVM's). */
export const FILE_OVERRIDE_SCHEMA: ConfigOverrideSchema["files"] = {
  [CONFIG_FILE]: { managedPaths: [...MANAGED_PATHS], knownKeys: TRON_USER_ALLOWED_KEYS },
};

export interface TronPorts {
  grpc: number;
  http: number;
  p2p: number;
  metrics: number;
}

/** The file before overrides. Storage paths are relative to the `-d` data directory. */
export function tronConfigModel(network: TronNetwork, ports: TronPorts): Record<string, unknown> {
  const facts = NETWORKS[network];
  const off = { solidityEnable: false, PBFTEnable: false };
  return {
    // Both documented configs say "mainnet", Nile's included: the network id is node.p2p.version.
    net: { type: "mainnet" },
    storage: {
      db: { engine: "LEVELDB", sync: false, directory: "database" },
      index: { directory: "index" },
      transHistory: { switch: "on" },
      needToUpdateAsset: true,
      ...(facts.merkleRoot ? { merkleRoot: { ...facts.merkleRoot } } : {}),
    },
    crypto: { engine: "eckey" },
    node: {
      discovery: { enable: true, persist: true },
      trustNode: `127.0.0.1:${ports.grpc}`,
      walletExtensionApi: true,
      listen: { port: ports.p2p },
      connection: { timeout: 2 },
      fetchBlock: { timeout: 200 },
      maxConnections: 30,
      minConnections: 8,
      minActiveConnections: 3,
      maxConnectionsWithSameIp: 2,
      maxHttpConnectNumber: 50,
      minParticipationRate: 15,
      isOpenFullTcpDisconnect: false,
      p2p: { version: facts.p2pVersion },
      active: [],
      passive: [],
      fastForward: [...facts.fastForward],
      http: { fullNodeEnable: true, fullNodePort: ports.http, ...off },
      rpc: { port: ports.grpc, ...off, maxConnectionIdleInMillis: 60000, minEffectiveConnection: 1 },
      jsonrpc: { httpFullNodeEnable: false, httpSolidityEnable: false, httpPBFTEnable: false },
      metrics: { prometheus: { enable: true, port: ports.metrics } },
    },
    seed: { node: { ip: { list: [...facts.seedNodes] } } },
    genesis: {
      block: {
        assets: facts.genesis.assets.map((a) => ({ ...a })),
        witnesses: facts.genesis.witnesses.map((w) => ({ ...w })),
        timestamp: facts.genesis.timestamp,
        parentHash: facts.genesis.parentHash,
      },
    },
    block: {
      needSyncCheck: facts.needSyncCheck,
      maintenanceTimeInterval: 21600000,
      proposalExpireTime: 259200000,
    },
    vm: {
      supportConstant: facts.supportConstant,
      maxEnergyLimitForConstant: 100000000,
      minTimeRatio: 0.0,
      maxTimeRatio: 5.0,
      saveInternalTx: facts.saveInternalTx,
    },
    committee: { allowCreationOfContracts: 0, allowAdaptiveEnergy: 0 },
  };
}
