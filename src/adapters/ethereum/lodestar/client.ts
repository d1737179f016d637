// Lodestar as the consensus client (`lodestar beacon`): the REST API and metrics on loopback, P2P on TCP/UDP
// (QUIC stays off, its default), the execution client reached over the Engine API with the node's JWT.
import { type EthClient, userSets } from "../client.ts";

const CHECKPOINT_FLAG = "--checkpointSyncUrl";

export const lodestar: EthClient = {
  name: "lodestar",
  role: "cl",
  versions: ["1.44.0"],
  versionRange: ">=1.20.0 <2.0.0",
  stopTimeoutSecs: 120,
  managedFlags: [
    "--network",
    "--dataDir",
    "--execution.urls",
    "--jwtSecret",
    "--rest",
    "--rest.address",
    "--rest.port",
    "--port",
    "--discoveryPort",
    "--quic",
    "--quicPort",
    "--metrics",
    "--metrics.address",
    "--metrics.port",
    "--rcConfig",
  ],
  knownFlags: {
    [CHECKPOINT_FLAG]: {
      description: "trusted beacon node to checkpoint-sync from (prefer spec.checkpointSyncUrl)",
    },
    "--targetPeers": { description: "target number of peers" },
    "--suggestedFeeRecipient": { description: "fallback fee recipient for a validator client" },
    "--forceCheckpointSync": { description: "checkpoint-sync even when the database is recent" },
    "--logLevel": { description: "log level: error, warn, info, verbose, debug, trace" },
  },
  args: (ctx) => [
    "beacon",
    "--network",
    ctx.network,
    "--dataDir",
    ctx.dataDir,
    "--execution.urls",
    ctx.engineUrl,
    "--jwtSecret",
    ctx.jwtPath,
    "--rest",
    "--rest.address",
    "127.0.0.1",
    "--rest.port",
    String(ctx.ports.beacon),
    "--port",
    String(ctx.ports["cl-p2p"]),
    "--discoveryPort",
    String(ctx.ports["cl-p2p"]),
    "--metrics",
    "--metrics.address",
    "127.0.0.1",
    "--metrics.port",
    String(ctx.ports["cl-metrics"]),
    ...(ctx.checkpointUrl && !userSets(ctx.userArgs, CHECKPOINT_FLAG)
      ? [CHECKPOINT_FLAG, ctx.checkpointUrl]
      : []),
  ],
};
