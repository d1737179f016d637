#!/usr/bin/env bun
// novacula: argv → mode. Typed errors become exit codes with a hint. Nothing else lives here.
import { errorMessage, UsageError } from "./lib/errors.ts";
import { NOVACULA_VERSION } from "./protocol/version.ts";

const HELP = `novacula ${NOVACULA_VERSION}: run blockchain full nodes on machines you own

usage: novacula <command> [options]

commands:
  control-plane   serve the API, UI and executor protocol (configured by environment variables)
  agent           run nodes as systemd units on this Linux host (agent run|install|uninstall|start|stop|restart|status)
  operator        run nodes in Kubernetes (not in this build yet)

options:
  --version       print the version
  --help          print this help`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "--version":
    case "-v":
      console.log(NOVACULA_VERSION);
      return 0;
    case undefined:
    case "--help":
    case "-h":
    case "help":
      console.log(HELP);
      return command === undefined ? 2 : 0;
    case "control-plane": {
      const { runControlPlaneCli } = await import("./modes/control-plane/cli.ts");
      return runControlPlaneCli(rest);
    }
    case "agent": {
      const { runAgentCli } = await import("./modes/agent/cli.ts");
      return runAgentCli(rest);
    }
    case "operator":
      throw new UsageError(
        "the operator is not part of this build yet",
        "run nodes with `novacula agent` for now",
        1,
      );
    default:
      throw new UsageError(
        `unknown ${command.startsWith("-") ? "option" : "command"}: ${command}`,
        "run `novacula --help` for the list of commands",
      );
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`novacula: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ""}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(`novacula: ${errorMessage(error)}`);
    process.exitCode = 1;
  }
}
