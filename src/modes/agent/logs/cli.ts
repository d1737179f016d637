// `novacula agent logs NODE [ROLE] [--tail N] [--level L] [--no-follow] [-c config]`: a node role's log for
// a person on the host, read the same way as live log sessions (journald or the process supervisor's file,
// levels normalized, lines below the minimum level left out). Prints the tail, then follows until Ctrl-C.
// NODE is the node's name or its id; ROLE may be left out when the node has one. Exit 2 for a node or role
// this host does not have, or bad options.
import { parseArgs } from "node:util";
import { atLeast, LogTailError, toLogLine } from "../../../executor/logs.ts";
import { errorMessage, UsageError } from "../../../lib/errors.ts";
import { DEFAULT_LOG_TAIL, isLogLevel, LOG_LEVELS, MAX_LOG_TAIL } from "../../../protocol/logs.ts";
import { loadAgentConfig } from "../config.ts";
import { supervisorDir } from "../layout.ts";
import { hostUnits, nodeNameOf, type UnitSource } from "./host-units.ts";
import { agentLogTail, unitOfRole } from "./tail.ts";

export const LOGS_USAGE = `usage: novacula agent logs NODE [ROLE] [--tail N] [--level L] [--no-follow] [--config|-c <path>]

  NODE         the node's name or id
  ROLE         the process role (e.g. node, el, cl); may be left out when the node has one
  --tail N     lines of history first (default ${DEFAULT_LOG_TAIL}, at most ${MAX_LOG_TAIL})
  --level L    minimum level: ${LOG_LEVELS.join(", ")} (default info)
  --no-follow  print the history and exit instead of following`;

const HINT = "run `novacula agent logs --help` for the options";

function options(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c" },
        tail: { type: "string", short: "n" },
        level: { type: "string" },
        "no-follow": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(errorMessage(error), HINT);
  }
}

export async function runAgentLogs(argv: string[]): Promise<number> {
  const { values, positionals } = options(argv);
  if (values.help) {
    console.log(LOGS_USAGE);
    return 0;
  }
  const [nodeArg, role, ...extra] = positionals;
  if (!nodeArg || extra.length > 0) throw new UsageError("give a node and at most one role", HINT);
  const tail = values.tail === undefined ? DEFAULT_LOG_TAIL : Number(values.tail);
  if (!Number.isInteger(tail) || tail < 1 || tail > MAX_LOG_TAIL)
    throw new UsageError(`--tail must be a whole number from 1 to ${MAX_LOG_TAIL}`, HINT);
  const level = values.level ?? "info";
  if (!isLogLevel(level)) throw new UsageError(`--level must be one of ${LOG_LEVELS.join(", ")}`, HINT);
  const config = loadAgentConfig(values.config);
  const source: UnitSource =
    config.supervisor.kind === "process"
      ? { kind: "process", stateDir: supervisorDir(config.agent.dataDir) }
      : { kind: "systemd", unitDir: config.supervisor.unitDir };
  const nodeName = nodeNameOf(config.agent.dataDir, nodeArg);
  if (!nodeName) {
    const here = [...new Set(hostUnits(source).map((u) => u.nodeName))];
    throw new UsageError(
      `no node ${JSON.stringify(nodeArg)} on this host`,
      here.length > 0 ? `nodes here: ${here.join(", ")}` : "this host runs no nodes yet",
    );
  }
  let unit: ReturnType<typeof unitOfRole>;
  try {
    unit = unitOfRole(source, nodeName, role);
  } catch (error) {
    if (error instanceof LogTailError) throw new UsageError(error.message, HINT);
    throw error;
  }
  const follow = !values["no-follow"];
  const stopped = Promise.withResolvers<string | null>();
  const logTail = await agentLogTail(source)({ nodeName, role: unit.role, tail, follow }, (raw) => {
    const lines = atLeast(raw.map(toLogLine), level);
    if (lines.length > 0) process.stdout.write(`${lines.map((l) => l.text).join("\n")}\n`);
  });
  const onSignal = () => stopped.resolve(null);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const reason = await Promise.race([stopped.promise, logTail.ended]);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await logTail.close();
  if (reason && follow) console.error(`novacula: ${reason}`);
  return 0;
}
