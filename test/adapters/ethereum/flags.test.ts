// Every flag a plan renders exists in its client's documented flags for the pinned version
// (test/adapters/fixtures/<client>-<version>-flags.txt, source noted at the top of each): a flag renamed
// upstream fails here instead of at a node's start. Known and managed flags must be real flags too.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ETHEREUM_CLIENTS, ethereumAdapter } from "../../../src/adapters/ethereum/adapter.ts";
import type { NodeSpec } from "../../../src/protocol/node-spec.ts";
import { GETH_VERSION, gethHelpFlags } from "../../harness/geth.ts";
import { CL_CLIENTS, EL_CLIENTS, ETH_ENV, ethSpec, NETWORK_NAMES, PINNED } from "./fixture.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures");

/** The flags of a fixture file: one a line, `#` starts a comment. */
export function documentedFlags(client: string): Set<string> {
  const text = readFileSync(join(FIXTURES, `${client}-${PINNED[client]}-flags.txt`), "utf8");
  return new Set(
    text
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean),
  );
}

/** The flags among a process's arguments ("--x", "--x=v", "-x"); values and subcommands are not flags. */
function flagsIn(args: readonly string[]): string[] {
  return args.filter((a) => /^--?[A-Za-z]/.test(a)).map((a) => a.split("=")[0]!);
}

function planned(spec: NodeSpec) {
  const result = ethereumAdapter.plan("flags", spec, ETH_ENV);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

describe("rendered flags exist in each client's documented flags", () => {
  for (const el of EL_CLIENTS) {
    for (const cl of CL_CLIENTS) {
      test(`${el} ${PINNED[el]} × ${cl} ${PINNED[cl]}: every network, full and archive, checkpoint on and off`, () => {
        const documented = { el: documentedFlags(el), cl: documentedFlags(cl) };
        const missing: string[] = [];
        for (const network of NETWORK_NAMES) {
          for (const nodeType of ["full", "archive"] as const) {
            for (const settings of [{}, { checkpointSync: false }] as NodeSpec["settings"][]) {
              const plan = planned(ethSpec(el, cl, { network, nodeType, settings }));
              for (const process of plan.processes) {
                const known = documented[process.role as "el" | "cl"];
                for (const flag of flagsIn(process.args))
                  if (!known.has(flag)) missing.push(`${process.client} ${network} ${nodeType}: ${flag}`);
              }
            }
          }
        }
        expect(missing).toEqual([]);
      });
    }
  }

  test("every managed and known flag of the override schema is a documented flag of its client", () => {
    const missing: string[] = [];
    for (const client of ETHEREUM_CLIENTS) {
      const documented = documentedFlags(client.name);
      for (const flag of [...client.managedFlags, ...Object.keys(client.knownFlags)])
        if (!documented.has(flag)) missing.push(`${client.name}: ${flag}`);
    }
    expect(missing).toEqual([]);
  });

  test("a renamed flag is caught: a fixture without --authrpc.jwtsecret no longer covers geth's plan", () => {
    const documented = documentedFlags("geth");
    documented.delete("--authrpc.jwtsecret");
    const el = planned(ethSpec()).processes.find((p) => p.role === "el")!;
    expect(flagsIn(el.args).filter((f) => !documented.has(f))).toEqual(["--authrpc.jwtsecret"]);
  });
});

describe("geth's rendered flags against the real binary's --help", () => {
  // geth-<version>-help.txt is what the geth the test command builds prints for --help (devnet-geth.test.ts
  // checks the fixture against the binary itself), so this holds the Ethereum plans to the real geth.
  const help = gethHelpFlags(readFileSync(join(FIXTURES, `geth-${GETH_VERSION}-help.txt`), "utf8"));

  test(`every flag a geth ${GETH_VERSION} plan renders, and every managed and known flag, is one --help lists`, () => {
    expect(PINNED.geth).toBe(GETH_VERSION);
    const geth = ETHEREUM_CLIENTS.find((c) => c.name === "geth")!;
    const flags = new Set([...geth.managedFlags, ...Object.keys(geth.knownFlags)]);
    for (const network of NETWORK_NAMES)
      for (const nodeType of ["full", "archive"] as const) {
        const el = planned(ethSpec("geth", "lighthouse", { network, nodeType })).processes.find(
          (p) => p.role === "el",
        )!;
        for (const flag of flagsIn(el.args)) flags.add(flag);
      }
    expect([...flags].filter((flag) => !help.has(flag))).toEqual([]);
  });
});
