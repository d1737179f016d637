// Lighthouse as the consensus client (`lighthouse beacon_node`): the beacon API and metrics on loopback, P2P on
// TCP/UDP plus QUIC on its own UDP port, the execution client reached over the Engine API with the node's JWT.
// Lighthouse refuses to sync from genesis unless told to, so a node without checkpoint sync says so.
import { type EthClient, QUIC_PORT, userSets } from "../client.ts";

const CHECKPOINT_FLAG = "--checkpoint-sync-url";

export const lighthouse: EthClient = {
  name: "lighthouse",
  role: "cl",
  versions: ["8.0.0"],
  versionRange: ">=5.0.0 <9.0.0",
  stopTimeoutSecs: 120,
  managedFlags: [
    "--network",
    "-d",
    "--datadir",
    "--execution-endpoint",
    "--execution-jwt",
    "--execution-jwt-secret-key",
    "--http",
    "--http-address",
    "--http-port",
    "--port",
    "--discovery-port",
    "--quic-port",
    "--metrics",
    "--metrics-address",
    "--metrics-port",
    "-z",
    "--zero-ports",
  ],
  knownFlags: {
    [CHECKPOINT_FLAG]: {
      description: "trusted beacon node to checkpoint-sync from (prefer spec.checkpointSyncUrl)",
    },
    "--target-peers": { description: "target number of peers" },
    "--suggested-fee-recipient": { description: "fallback fee recipient for a validator client" },
    "--reconstruct-historic-states": { description: "rebuild historic states after a checkpoint sync" },
    "--disable-upnp": { description: "do not try UPnP port mappings" },
    "--debug-level": { description: "log level: info, debug, trace, warn, error" },
  },
  extraPorts: [QUIC_PORT],
  args: (ctx) => {
    const userCheckpoint = userSets(ctx.userArgs, CHECKPOINT_FLAG);
    return [
      "beacon_node",
      "--network",
      ctx.network,
      "--datadir",
      ctx.dataDir,
      "--execution-endpoint",
      ctx.engineUrl,
      "--execution-jwt",
      ctx.jwtPath,
      "--http",
      "--http-address",
      "127.0.0.1",
      "--http-port",
      String(ctx.ports.beacon),
      "--port",
      String(ctx.ports["cl-p2p"]),
      "--quic-port",
      String(ctx.ports["cl-quic"]),
      "--metrics",
      "--metrics-address",
      "127.0.0.1",
      "--metrics-port",
      String(ctx.ports["cl-metrics"]),
      ...(userCheckpoint
        ? []
        : ctx.checkpointUrl
          ? [CHECKPOINT_FLAG, ctx.checkpointUrl]
          : ["--allow-insecure-genesis-sync"]),
    ];
  },
};
