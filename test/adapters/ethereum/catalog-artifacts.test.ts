// The shipped catalog and the Ethereum adapter agree on what an installed client artifact is: for a file member
// the installed path is the program itself; for a directory member (Nethermind ships its launcher with its
// libraries) the installed path is the unpacked directory and the program runs from inside it.
import { expect, test } from "bun:test";
import { ethereumAdapter } from "../../../src/adapters/ethereum/adapter.ts";
import type { PlanEnv } from "../../../src/adapters/types.ts";
import { defaultCatalog } from "../../../src/modes/control-plane/catalog/defaults.ts";
import { type CatalogFile, PLATFORMS, type Platform } from "../../../src/protocol/artifacts.ts";
import { CONFORMANCE_ENV } from "../conformance.ts";
import { ethSpec } from "./fixture.ts";

/** Where an executor installs a role's client: one path per role, as PlanEnv.artifacts hands it over. */
const installedAt = (role: string) => `/var/lib/novacula/artifacts/${role}-client`;

test("every shipped Ethereum client runs from its installed artifact: a file as is, a directory's launcher inside it", () => {
  const checked: string[] = [];
  for (const entry of defaultCatalog().filter((e) => e.chain === "ethereum")) {
    const role = ethereumAdapter
      .capability()
      .roles.find((r) => r.clients.some((c) => c.name === entry.client))!;
    const spec = role.role === "el" ? ethSpec(entry.client, "lighthouse") : ethSpec("geth", entry.client);
    spec.clients[role.role] = { name: entry.client, version: entry.version };
    for (const platform of PLATFORMS) {
      const file = (entry.platforms as Partial<Record<Platform, Record<string, CatalogFile>>>)[platform]
        ?.client;
      if (file === undefined) continue;
      const env: PlanEnv = {
        ...CONFORMANCE_ENV,
        platform,
        artifacts: { el: { client: installedAt("el") }, cl: { client: installedAt("cl") } },
      };
      const result = ethereumAdapter.plan("n1", spec, env);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      const executable = result.plan.processes.find((p) => p.role === role.role)!.executable!;
      const at = `${entry.client} ${entry.version} ${platform} (member ${file.member ?? "none"})`;
      const installed = installedAt(role.role);
      const isDirectory = file.member?.endsWith("/") === true;
      expect({
        at,
        runs: isDirectory ? executable.startsWith(`${installed}/`) : executable === installed,
      }).toEqual({
        at,
        runs: true,
      });
      checked.push(at);
    }
  }
  expect(checked.some((at) => at.startsWith("nethermind"))).toBe(true);
});
