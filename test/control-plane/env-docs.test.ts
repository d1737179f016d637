// Every environment variable the control plane reads is documented in docs/control-plane-env.md.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONTROL_PLANE_ENV } from "../../src/modes/control-plane/config.ts";

test("docs/control-plane-env.md documents every variable the control plane reads", () => {
  const doc = readFileSync(resolve(import.meta.dir, "../../docs/control-plane-env.md"), "utf8");
  const source = readFileSync(resolve(import.meta.dir, "../../src/modes/control-plane/config.ts"), "utf8");
  const read = [...source.matchAll(/env(?:\.|\[")([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!);
  const integerReads = [...source.matchAll(/integer\(env, "([A-Z0-9_]+)"/g)].map((m) => m[1]!);
  for (const name of new Set([...read, ...integerReads])) expect(CONTROL_PLANE_ENV).toContain(name as never);
  for (const name of CONTROL_PLANE_ENV) expect(doc).toContain(`\`${name}\``);
});
