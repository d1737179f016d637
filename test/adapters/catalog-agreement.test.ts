// The shipped client catalog and the compiled-in adapters agree: every shipped entry delivers, on every platform
// it lists and every network its adapter offers, each artifact the adapter's plan asks for, under the names the
// adapter uses (BSC's per-network genesis and config, Tron's jre), so a deploy of a shipped version never stops
// at "no artifact was delivered".
import { expect, test } from "bun:test";
import { getAdapter } from "../../src/adapters/registry.ts";
import type { PlanEnv } from "../../src/adapters/types.ts";
import { defaultCatalog } from "../../src/modes/control-plane/catalog/defaults.ts";
import { type CatalogFile, PLATFORMS, type Platform } from "../../src/protocol/artifacts.ts";
import type { NodeSpec } from "../../src/protocol/node-spec.ts";
import { CONFORMANCE_ENV } from "./conformance.ts";

const installed = (role: string, name: string) => `/var/lib/novacula/artifacts/${role}/${name}`;

test("every shipped entry delivers each artifact its adapter's plan asks for, on each platform and network", () => {
  const checked: string[] = [];
  for (const entry of defaultCatalog()) {
    const adapter = getAdapter(entry.chain);
    if (adapter === undefined) continue; // a chain this binary does not compile in
    const capability = adapter.capability();
    const role = capability.roles.find((r) => r.clients.some((c) => c.name === entry.client))!.role;
    // The other roles get a shipped client of theirs, with a "client" installed: only this entry is judged.
    const clients: NodeSpec["clients"] = {};
    for (const r of capability.roles) {
      const other = defaultCatalog().find(
        (e) => e.chain === entry.chain && r.clients.some((c) => c.name === e.client),
      )!;
      clients[r.role] = { name: other.client, version: other.version };
    }
    clients[role] = { name: entry.client, version: entry.version };
    if (entry.networks !== undefined)
      expect({
        entry: `${entry.client} ${entry.version}`,
        networks: Object.keys(entry.networks).sort(),
      }).toEqual({
        entry: `${entry.client} ${entry.version}`,
        networks: expect.arrayContaining(capability.networks),
      });
    for (const platform of PLATFORMS) {
      const files = (entry.platforms as Partial<Record<Platform, Record<string, CatalogFile>>>)[platform];
      if (files === undefined) continue;
      for (const network of capability.networks) {
        const names = [...Object.keys(files), ...Object.keys(entry.networks?.[network] ?? {})];
        const artifacts: Record<string, Record<string, string>> = {};
        for (const r of capability.roles) artifacts[r.role] = { client: installed(r.role, "client") };
        artifacts[role] = Object.fromEntries(names.map((name) => [name, installed(role, name)]));
        const env: PlanEnv = { ...CONFORMANCE_ENV, platform, artifacts };
        const spec: NodeSpec = {
          chain: entry.chain,
          network,
          nodeType: capability.nodeTypes[0]!,
          clients,
          desiredState: "running",
          restartGeneration: 0,
        };
        const at = `${entry.chain} ${entry.client} ${entry.version} ${platform} ${network}`;
        const result = adapter.plan("n1", spec, env);
        const missing = result.ok
          ? result.plan.processes
              .filter((p) => p.role === role)
              .flatMap((p) => p.artifacts ?? [])
              .filter((name) => !names.includes(name))
          : result.errors.filter((e) => e.message.includes("artifact was delivered")).map((e) => e.message);
        expect({ at, missing }).toEqual({ at, missing: [] });
        checked.push(at);
      }
    }
  }
  expect(checked.some((at) => at.startsWith("bsc geth"))).toBe(true);
});
