// sui-node's fullnode.yaml as a typed model: what Novacula sets (addresses, database, genesis, seed peers),
// the documented defaults of Sui's full-node template, and the override schema (managed and known keys).
// Sources: crates/sui-config/data/fullnode-template.yaml, docs/content/guides/operator/sui-full-node.mdx
// (seed peers, pruning keys) and the archives guide (state-archive-read-config), MystenLabs/sui.
import type { ConfigOverrideSchema } from "../../types.ts";

export const CONFIG_FILE = "fullnode.yaml";

export const SUI_NETWORKS = ["mainnet", "testnet"] as const;
export type SuiNetwork = (typeof SUI_NETWORKS)[number];

interface SeedPeer {
  address: string;
  "peer-id": string;
}

const seed = (host: string, peerId: string): SeedPeer => ({
  address: `/dns/${host}/udp/8084`,
  "peer-id": peerId,
});

/** The seed peers Sui's full-node guide lists per network, in its order. */
export const SEED_PEERS: Readonly<Record<SuiNetwork, readonly SeedPeer[]>> = {
  mainnet: [
    seed("mel-00.mainnet.sui.io", "d32b55bdf1737ec415df8c88b3bf91e194b59ee3127e3f38ea46fd88ba2e7849"),
    seed("ewr-00.mainnet.sui.io", "c7bf6cb93ca8fdda655c47ebb85ace28e6931464564332bf63e27e90199c50ee"),
    seed("ewr-01.mainnet.sui.io", "3227f8a05f0faa1a197c075d31135a366a1c6f3d4872cb8af66c14dea3e0eb66"),
    seed("lhr-00.mainnet.sui.io", "c619a5e0f8f36eac45118c1f8bda28f0f508e2839042781f1d4a9818043f732c"),
    seed(
      "sui-mainnet-ssfn-1.nodeinfra.com",
      "0c52ca8d2b9f51be4a50eb44ace863c05aadc940a7bd15d4d3f498deb81d7fc6",
    ),
    seed(
      "sui-mainnet-ssfn-2.nodeinfra.com",
      "1dbc28c105aa7eb9d1d3ac07ae663ea638d91f2b99c076a52bbded296bd3ed5c",
    ),
    seed(
      "sui-mainnet-ssfn-ashburn-na.overclock.run",
      "5ff8461ab527a8f241767b268c7aaf24d0312c7b923913dd3c11ee67ef181e45",
    ),
    seed(
      "sui-mainnet-ssfn-dallas-na.overclock.run",
      "e1a4f40d66f1c89559a195352ba9ff84aec28abab1d3aa1c491901a252acefa6",
    ),
    seed("ssn01.mainnet.sui.rpcpool.com", "fadb7ccb0b7fc99223419176e707f5122fef4ea686eb8e80d1778588bf5a0bcd"),
    seed("ssn02.mainnet.sui.rpcpool.com", "13783584a90025b87d4604f1991252221e5fd88cab40001642f4b00111ae9b7e"),
  ],
  testnet: [
    seed(
      "yto-tnt-ssfn-01.testnet.sui.io",
      "2ed53564d5581ded9b6773970ac2f1c84d39f9edf01308ff5a1ffe09b1add7b3",
    ),
    seed(
      "yto-tnt-ssfn-00.testnet.sui.io",
      "6563732e5ab33b4ae09c73a98fd37499b71b8f03c27b5cc51acc26934974aff2",
    ),
    seed(
      "nrt-tnt-ssfn-00.testnet.sui.io",
      "23a1f7cd901b6277cbedaa986b3fc183f171d800cabba863d48f698f518967e1",
    ),
    seed(
      "ewr-tnt-ssfn-00.testnet.sui.io",
      "df8a8d128051c249e224f95fcc463f518a0ebed8986bbdcc11ed751181fecd38",
    ),
    seed(
      "lax-tnt-ssfn-00.testnet.sui.io",
      "f9a72a0a6c17eed09c27898eab389add704777c03e135846da2428f516a0c11d",
    ),
    seed(
      "lhr-tnt-ssfn-00.testnet.sui.io",
      "9393d6056bb9c9d8475a3cf3525c747257f17c6a698a7062cbbd1875bc6ef71e",
    ),
    seed(
      "mel-tnt-ssfn-00.testnet.sui.io",
      "c88742f46e66a11cb8c84aca488065661401ef66f726cb9afeb8a5786d83456e",
    ),
  ],
};

/** Checkpoints a lagging node can fetch from when its peers have pruned them. */
export const archiveUrl = (network: SuiNetwork) => `https://checkpoints.${network}.sui.io`;

/** Keys Novacula writes from the node's ports and directories; an override of any of them is refused. */
export const MANAGED_PATHS = [
  "db-path",
  "network-address",
  "metrics-address",
  "json-rpc-address",
  "admin-interface-port",
  "genesis.genesis-file-location",
  "p2p-config.seed-peers",
  "p2p-config.listen-address",
] as const;

export const OVERRIDE_SCHEMA: ConfigOverrideSchema = {
  files: {
    [CONFIG_FILE]: {
      managedPaths: [...MANAGED_PATHS],
      knownKeys: {
        "enable-event-processing": {
          type: "boolean",
          description: "index events for the event JSON-RPC queries (default true)",
        },
        "authority-store-pruning-config.num-epochs-to-retain": {
          type: "integer",
          description: "epochs of old object versions kept (0 = aggressive pruning; default 1)",
        },
        "authority-store-pruning-config.num-epochs-to-retain-for-checkpoints": {
          type: "integer",
          description: "epochs of transactions and effects kept (at least 2; unset = never pruned)",
        },
        "authority-store-pruning-config.periodic-compaction-threshold-days": {
          type: "integer",
          description: "days after which each database file is compacted again",
        },
        "state-archive-read-config": {
          type: "array",
          description: "archives to fetch old checkpoints from: [{ ingestion-url, concurrency }]",
        },
      },
    },
  },
  args: {},
};

export interface FullnodePorts {
  rpc: number;
  network: number;
  p2p: number;
  metrics: number;
  admin: number;
}

/**
 * The file before overrides. RPC, metrics and the admin interface listen on loopback only (the executor
 * probes them there; a user publishes RPC deliberately); P2P listens on every interface.
 */
export function fullnodeModel(
  network: SuiNetwork,
  ports: FullnodePorts,
  paths: { dbPath: string; genesisPath: string },
): Record<string, unknown> {
  return {
    "db-path": paths.dbPath,
    "network-address": `/ip4/127.0.0.1/tcp/${ports.network}/http`,
    "metrics-address": `127.0.0.1:${ports.metrics}`,
    "json-rpc-address": `127.0.0.1:${ports.rpc}`,
    "admin-interface-port": ports.admin,
    "enable-event-processing": true,
    genesis: { "genesis-file-location": paths.genesisPath },
    "p2p-config": {
      "listen-address": `0.0.0.0:${ports.p2p}`,
      "seed-peers": SEED_PEERS[network].map((peer) => ({ ...peer })),
    },
    // The template's pruning defaults: old object versions and epoch databases are pruned, history is kept.
    "authority-store-pruning-config": {
      "num-latest-epoch-dbs-to-retain": 3,
      "epoch-db-pruning-period-secs": 3600,
      "num-epochs-to-retain": 1,
      "max-checkpoints-in-batch": 10,
      "max-transactions-in-batch": 1000,
      "pruning-run-delay-seconds": 60,
    },
    // The ingestion-url form of StateArchiveConfig (crates/sui-config/src/node.rs in current releases);
    // sui-node releases from before it wanted object-store-config and use-for-pruning-watermark instead.
    "state-archive-read-config": [{ "ingestion-url": archiveUrl(network), concurrency: 5 }],
  };
}
