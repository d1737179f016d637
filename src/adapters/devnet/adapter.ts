// The `devnet` chain: one local Ethereum development chain (role `node`, network `local`), run by the client
// the spec picks: anvil (anvil/) or geth in dev mode (geth/). This file owns what is the chain's whatever the
// client: the network, ports, settings, resources and probe interpretation; it judges and resolves them once
// and asks the chosen client module for its process.
import type { ChainCapability } from "../../protocol/capabilities.ts";
import type { ErrorDetail } from "../../protocol/errors.ts";
import type { NodeSpec } from "../../protocol/node-spec.ts";
import {
  hostPortsOf,
  resolveIntSettings,
  resolvePorts,
  resourceLimits,
  validateOffer,
} from "../shared/spec.ts";
import type { ChainAdapter, ConfigOverrideSchema, PlanEnv, PlanResult, ValidationTarget } from "../types.ts";
import { anvilClient } from "./anvil/adapter.ts";
import { CHAIN, DEFAULT_PORTS, type DevnetClient, interpretDevnetProbe, ROLE, SETTINGS } from "./chain.ts";
import { gethClient } from "./geth/adapter.ts";

/** The clients of the `node` role, in the order the capability lists them (anvil stays the first). */
const CLIENTS: readonly DevnetClient[] = [anvilClient, gethClient];
const byName = new Map(CLIENTS.map((client) => [client.name, client]));

function overrideSchema(): ConfigOverrideSchema {
  return { files: {}, args: Object.fromEntries(CLIENTS.map((c) => [c.name, c.overrideArgs])) };
}

/** The client module the spec's `node` role names, when this binary has it. */
function chosenClient(spec: NodeSpec): DevnetClient | undefined {
  const name = spec.clients[ROLE]?.name;
  return name !== undefined && byName.has(name) ? byName.get(name) : undefined;
}

/**
 * Arguments for a client the node does not run would be dropped silently: each is refused at its path. A
 * name no executor offers is refused by validateOffer already.
 */
function foreignArgOverrides(spec: NodeSpec, offered: ChainCapability): ErrorDetail[] {
  const running = spec.clients[ROLE]?.name;
  return Object.keys(spec.overrides?.args ?? {})
    .filter((name) => name !== running && Object.hasOwn(offered.configOverrideSchema.args, name))
    .map((name) => ({
      path: `/overrides/args/${name}`,
      message: `this node runs ${running ?? "no client"}, not ${name}: move these arguments to overrides.args.${running ?? ROLE} or remove them`,
    }));
}

function validate(spec: NodeSpec, { offered = capability() }: ValidationTarget = {}): ErrorDetail[] {
  const errors = [...validateOffer(spec, offered), ...foreignArgOverrides(spec, offered)];
  if (spec.checkpointSyncUrl !== undefined) {
    errors.push({
      path: "/checkpointSyncUrl",
      message: "a devnet chain starts from its own genesis: remove it",
    });
  }
  resolvePorts(spec, DEFAULT_PORTS, errors);
  resolveIntSettings(spec, SETTINGS, errors);
  resourceLimits(spec, errors);
  // A client this binary lacks but the executor offers is judged by that executor's own adapter.
  errors.push(...(chosenClient(spec)?.validate(spec) ?? []));
  return errors;
}

function plan(nodeName: string, spec: NodeSpec, env: PlanEnv): PlanResult {
  const errors = validate(spec);
  if (errors.length > 0) return { ok: false, errors };
  const client = chosenClient(spec)!;
  const process = client.process(
    {
      spec,
      env,
      version: spec.clients[ROLE]!.version,
      ports: resolvePorts(spec, DEFAULT_PORTS, errors),
      settings: resolveIntSettings(spec, SETTINGS, errors),
      limits: resourceLimits(spec, errors),
      extraArgs: spec.overrides?.args?.[client.name] ?? [],
    },
    errors,
  );
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, plan: { nodeName, initSteps: [], processes: [process] } };
}

function capability(): ChainCapability {
  return {
    chain: CHAIN,
    networks: ["local"],
    roles: [{ role: ROLE, clients: CLIENTS.map((client) => client.capability()) }],
    nodeTypes: ["full"],
    defaults: { local: { cpu: "1", memory: "1Gi", storage: { data: "1Gi" } } },
    configOverrideSchema: overrideSchema(),
  };
}

export const devnetAdapter: ChainAdapter = {
  chain: CHAIN,
  ignoredSpecFields: {
    "/images": "devnet clients run from downloaded binaries; no container image is published for them yet",
    "/storage/size": "a devnet chain is tiny; the agent uses the host disk under data_dir",
    "/storage/storageClass": "Kubernetes-only; devnet needs no particular storage",
    "/resources/cpu": "a request is a scheduling hint; the plan carries limits only",
    "/resources/memory": "a request is a scheduling hint; the plan carries limits only",
    "/resources/disk": "a request is a scheduling hint; the plan carries limits only",
    "/sidecars": "sidecars are containers, run by the operator next to the node",
    "/serviceType": "Kubernetes Service type; devnet clients listen on loopback",
  },
  capability,
  formHints: () => ({ settings: SETTINGS, ports: DEFAULT_PORTS }),
  validate,
  hostPorts: (spec) => hostPortsOf(spec, DEFAULT_PORTS),
  plan,
  interpretProbe: interpretDevnetProbe,
};
