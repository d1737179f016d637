// `bun run build`: compiles src/main.ts into the single binary dist/novacula (optionally with another
// version stamped: `bun scripts/build.ts --version 2.0.0 --outfile dist/novacula-2`). The web UI is bundled
// first and embedded: a generated entry sets its files as a global, then runs src/main.ts. Tests that need a
// binary trusting a throwaway release key (to publish releases to it as a control plane, and to self-upgrade
// to them as an executor) pass `--test-release-key <minisign public key line>`: the one way to add a key to
// the compiled-in release keys, and never used by a release build (src/lib/release-trust.ts).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundleUi } from "../src/modes/control-plane/ui/bundle.ts";

const BYTECODE_ORDER = new URL("./bytecode-order/agent.txt", import.meta.url).pathname;
const ROOT = resolve(import.meta.dir, "..");
const GENERATED = join(ROOT, ".cache", "build");

/** Writes the generated entry (UI files, then src/main.ts) and returns its path. */
export async function embeddedUiEntry(): Promise<string> {
  const files = Object.fromEntries((await bundleUi()).map((f) => [f.path, f.text]));
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(join(GENERATED, "ui-assets.js"), `globalThis.__NOVACULA_UI__ = ${JSON.stringify(files)};\n`);
  const entry = join(GENERATED, "entry.js");
  // Imports run in order: the UI global exists before main.ts (and the control plane) loads.
  writeFileSync(entry, `import "./ui-assets.js";\nimport ${JSON.stringify(join(ROOT, "src/main.ts"))};\n`);
  return entry;
}

export async function buildBinary(outfile: string, version?: string, testReleaseKey?: string): Promise<void> {
  const entry = await embeddedUiEntry();
  // --bytecode ships JavaScriptCore bytecode instead of source to parse at every start: `novacula --version`
  // goes from ~250 ms to ~45 ms for ~10 MiB more binary (docs/benchmarks.md, Agent). It needs --format=esm.
  const args = ["build", "--compile", "--bytecode", "--format=esm", entry, "--outfile", outfile];
  // Profile-guided bytecode layout: the functions an agent used (recorded from a bench-agent run, see
  // scripts/bytecode-order/README.md) go together at the front of the embedded bytecode, so an idle agent
  // touches fewer pages of it and they stay resident: less RSS (docs/benchmarks.md, Agent). A profile from an
  // older build still applies (functions are matched by hash); code it does not know is simply laid out after.
  if (existsSync(BYTECODE_ORDER)) args.push("--bytecode-order", BYTECODE_ORDER);
  if (version) args.push("--define", `__NOVACULA_VERSION__=${JSON.stringify(version)}`);
  if (testReleaseKey)
    args.push("--define", `__NOVACULA_TEST_RELEASE_KEY__=${JSON.stringify(testReleaseKey)}`);
  const proc = Bun.spawn([process.execPath, ...args], { stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`bun build failed for ${outfile}`);
}

if (import.meta.main) {
  // Parsed only when run as a script: importers (check.ts, release.ts) have arguments of their own.
  const { values } = parseArgs({
    options: {
      version: { type: "string" },
      outfile: { type: "string", default: "dist/novacula" },
      // A throwaway minisign public key (base64 line) trusted on top of the release keys: tests only.
      "test-release-key": { type: "string" },
    },
  });
  await buildBinary(values.outfile!, values.version, values["test-release-key"]);
}
