// `novacula agent <run|install|uninstall|start|stop|restart|status|logs|capabilities|upgrade>` (reference §9.1). Exit code 0, or the
// failing systemctl's code. systemctl itself is only ever spawned by supervisor/systemd.ts.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { errorMessage, UsageError } from "../../lib/errors.ts";
import { loadAgentConfig, resolveConfigPath } from "./config.ts";
import { installAgentService, uninstallAgentService } from "./install.ts";
import { NODE_USER } from "./node-user.ts";
import { SystemctlError, systemctl, systemctlShow } from "./supervisor/systemd.ts";

const AGENT_SERVICE = "novacula-agent.service";

const USAGE = `usage: novacula agent <command>

commands:
  run [--config|-c <path>]                          run the agent in the foreground (the unit runs this)
  install [--config|-c <path>] [--binary|-b <path>] install and enable the novacula-agent service
  uninstall                                         remove the service units (no stop; binary and data stay)
  start | stop | restart                            systemctl <verb> novacula-agent.service
  status                                            ActiveState, MainPID and ExecMainStatus of the service
  logs NODE [ROLE] [--tail N] [--level L]           a node's log on this host, then follow it
  capabilities                                      what this agent can run, as JSON (sent at every sync):
                                                    chains, networks, roles, clients and versions, override schemas
  upgrade --target-version|--to X.Y.Z --download-url URL --sha256 HEX --signature SIG|--signature-file FILE
                                                    replace the agent's binary with a signed release`;

function parse(argv: string[], options: Record<string, { type: "string"; short?: string }>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (error) {
    throw new UsageError(errorMessage(error), "run `novacula agent --help` for the options");
  }
}

async function installCommand(verb: "install" | "uninstall", argv: string[]): Promise<number> {
  if (verb === "uninstall") {
    parse(argv, {});
    const { removed } = await uninstallAgentService();
    console.log(
      `removed ${removed.length > 0 ? removed.join(", ") : "nothing (not installed)"}; the binary and data_dir stay`,
    );
    return 0;
  }
  const values = parse(argv, {
    config: { type: "string", short: "c" },
    binary: { type: "string", short: "b" },
  });
  const configPath = resolve(resolveConfigPath(values.config, process.env));
  // A config the agent would refuse must fail here, not in a crash-looping service.
  const config = loadAgentConfig(configPath);
  const binaryPath = resolve(values.binary ?? process.execPath);
  const result = await installAgentService({ configPath, binaryPath, unitDir: config.supervisor.unitDir });
  if (result.nodeUserCreated) console.log(`created the system user ${NODE_USER} that node processes run as`);
  console.log(
    `${AGENT_SERVICE} ${result.changed.length > 0 ? "installed" : "already installed"} (${result.enabled}); start it with: novacula agent start`,
  );
  return 0;
}

export async function runAgentCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        const values = parse(rest, { config: { type: "string", short: "c" } });
        const config = loadAgentConfig(values.config);
        const { runAgent } = await import("./run.ts");
        return await runAgent(config);
      }
      case "install":
      case "uninstall":
        return await installCommand(command, rest);
      case "capabilities": {
        parse(rest, {});
        // No config, no control plane: the adapters compiled into this binary are the whole answer.
        const { agentCapabilities } = await import("./backend.ts");
        console.log(JSON.stringify(agentCapabilities(), null, 2));
        return 0;
      }
      case "logs":
        return await (await import("./logs/cli.ts")).runAgentLogs(rest);
      case "upgrade":
        return await (await import("./upgrade-cli.ts")).runAgentUpgrade(rest);
      case "start":
      case "stop":
      case "restart":
        parse(rest, {});
        await systemctl([command, AGENT_SERVICE]);
        return 0;
      case "status": {
        parse(rest, {});
        const shown = await systemctlShow([AGENT_SERVICE], ["ActiveState", "MainPID", "ExecMainStatus"]);
        const p = shown.get(AGENT_SERVICE) ?? {};
        console.log(
          `ActiveState=${p.ActiveState ?? "unknown"} MainPID=${p.MainPID ?? "0"} ExecMainStatus=${p.ExecMainStatus ?? "0"}`,
        );
        return 0;
      }
      case undefined:
      case "--help":
      case "-h":
      case "help":
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(
          `unknown agent command: ${command}`,
          "run `novacula agent --help` for the commands",
        );
    }
  } catch (error) {
    if (error instanceof SystemctlError) {
      console.error(`novacula: ${error.message}`);
      return error.exitCode;
    }
    throw error;
  }
}

// `bun src/modes/agent/cli.ts run -c …` works without the rest of the binary (tests spawn the agent this way).
if (import.meta.main) {
  try {
    process.exitCode = await runAgentCli(process.argv.slice(2));
  } catch (error) {
    const hint = error instanceof UsageError && error.hint ? `\nhint: ${error.hint}` : "";
    console.error(`novacula: ${errorMessage(error)}${hint}`);
    process.exitCode = error instanceof UsageError ? error.exitCode : 1;
  }
}
