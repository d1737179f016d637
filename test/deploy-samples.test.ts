// The samples in deploy/ stay valid: the agent config parses with the agent's own pipeline and the node
// spec passes the protocol schema and the devnet adapter.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getAdapter } from "../src/adapters/registry.ts";
import { parseAgentConfig } from "../src/modes/agent/config.ts";
import { compileValidator, NodeSpecInput } from "../src/protocol/index.ts";

const sample = (name: string) => readFileSync(resolve(import.meta.dir, "../deploy/samples", name), "utf8");

test("deploy/samples/agent.toml is a valid agent configuration", () => {
  const config = parseAgentConfig(sample("agent.toml"), {
    path: "deploy/samples/agent.toml",
    env: {},
    pid1IsSystemd: () => true,
    readCredentials: () => null,
  });
  expect(config.agent.name).toBe("host-1");
});

test("deploy/samples/devnet-node.json is a spec the devnet adapter accepts", () => {
  const spec = JSON.parse(sample("devnet-node.json"));
  expect(compileValidator(NodeSpecInput).errors(spec)).toEqual([]);
  expect(getAdapter("devnet")!.validate({ ...spec, desiredState: "running", restartGeneration: 0 })).toEqual(
    [],
  );
});
