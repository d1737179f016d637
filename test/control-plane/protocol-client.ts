// Test helpers that speak the executor protocol over real HTTP, with capabilities taken from the real
// compiled-in adapters, so the tests exercise exactly what an executor sends.
import { supportedChains } from "../../src/adapters/registry.ts";
import type { ExecutorCapabilities, NodeSpecInput, SyncResponse } from "../../src/protocol/index.ts";
import { EXECUTOR_ID_HEADER } from "../../src/protocol/index.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";

export const CAPABILITIES: ExecutorCapabilities = {
  supportedChains: supportedChains(),
  features: ["sync", "event", "lifecycle"],
  storageClasses: [],
};

export const DEVNET_SPEC: NodeSpecInput = {
  chain: "devnet",
  network: "local",
  nodeType: "full",
  clients: { node: { name: "anvil", version: "1.7.1" } },
};

export interface CallOptions {
  method?: "GET" | "POST";
  body?: unknown;
  rawBody?: string;
  key?: string | null;
  executorId?: string;
}

export async function call(cp: ControlPlaneHandle, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.executorId) headers[EXECUTOR_ID_HEADER] = options.executorId;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${cp.url}${path}`, {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

export function syncBody(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    kind: "agent",
    version: "0.1.0",
    channel: "stable",
    capabilities: CAPABILITIES,
    ...overrides,
  };
}

export async function syncExecutor(
  cp: ControlPlaneHandle,
  key: string,
  name: string,
  overrides: Record<string, unknown> = {},
) {
  const result = await call(cp, "/api/v1/executor/sync", { key, body: syncBody(name, overrides) });
  if (result.status !== 200) throw new Error(`sync failed: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json as SyncResponse;
}

export async function createNode(
  cp: ControlPlaneHandle,
  cookie: string,
  executorId: string,
  name: string,
  spec: unknown = DEVNET_SPEC,
) {
  const result = await cp.gql(
    `mutation($data: NodeCreateInput!) { createNode(data: $data) { id name revision phase } }`,
    { data: { executorId, name, spec } },
    { cookie },
  );
  if (!result.data) throw new Error(`createNode failed: ${JSON.stringify(result.errors)}`);
  return result.data.createNode as { id: string; name: string; revision: number; phase: string };
}
