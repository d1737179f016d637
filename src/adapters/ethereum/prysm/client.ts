// Prysm as the consensus client (`beacon-chain`): the beacon API, its gRPC API and monitoring on loopback, P2P
// on TCP/UDP plus QUIC on its own UDP port. Checkpoint sync takes both the checkpoint and the genesis state
// from the trusted beacon node. The terms of use are accepted by running it unattended.
import { type EthClient, localPort, QUIC_PORT, userSets } from "../client.ts";

const CHECKPOINT_FLAGS = ["--checkpoint-sync-url", "--genesis-beacon-api-url"] as const;

export const prysm: EthClient = {
  name: "prysm",
  role: "cl",
  versions: ["7.1.6"],
  versionRange: ">=5.0.0 <8.0.0",
  versionConstraints: { hoodi: ">=7.1.0" },
  stopTimeoutSecs: 120,
  managedFlags: [
    "--mainnet",
    "--sepolia",
    "--hoodi",
    "--holesky",
    "--datadir",
    "--execution-endpoint",
    "--jwt-secret",
    "--http-host",
    "--http-port",
    "--rpc-host",
    "--rpc-port",
    "--p2p-tcp-port",
    "--p2p-udp-port",
    "--p2p-quic-port",
    "--monitoring-host",
    "--monitoring-port",
    "--disable-monitoring",
    "--accept-terms-of-use",
  ],
  knownFlags: {
    "--checkpoint-sync-url": {
      description: "trusted beacon node to checkpoint-sync from (prefer spec.checkpointSyncUrl)",
    },
    "--genesis-beacon-api-url": { description: "beacon node to fetch the genesis state from" },
    "--p2p-max-peers": { description: "maximum number of peers" },
    "--suggested-fee-recipient": { description: "fallback fee recipient for a validator client" },
    "--p2p-host-ip": { description: "the external IP to advertise" },
    "--verbosity": { description: "log level: debug, info, warn, error" },
  },
  extraPorts: [QUIC_PORT, localPort("cl-grpc")],
  args: (ctx) => {
    const userCheckpoint = CHECKPOINT_FLAGS.some((flag) => userSets(ctx.userArgs, flag));
    return [
      `--${ctx.network}`,
      "--accept-terms-of-use",
      "--datadir",
      ctx.dataDir,
      "--execution-endpoint",
      ctx.engineUrl,
      "--jwt-secret",
      ctx.jwtPath,
      "--http-host",
      "127.0.0.1",
      "--http-port",
      String(ctx.ports.beacon),
      "--rpc-host",
      "127.0.0.1",
      "--rpc-port",
      String(ctx.ports["cl-grpc"]),
      "--p2p-tcp-port",
      String(ctx.ports["cl-p2p"]),
      "--p2p-udp-port",
      String(ctx.ports["cl-p2p"]),
      "--p2p-quic-port",
      String(ctx.ports["cl-quic"]),
      "--monitoring-host",
      "127.0.0.1",
      "--monitoring-port",
      String(ctx.ports["cl-metrics"]),
      ...(ctx.checkpointUrl && !userCheckpoint
        ? CHECKPOINT_FLAGS.flatMap((flag) => [flag, ctx.checkpointUrl!])
        : []),
    ];
  },
};
