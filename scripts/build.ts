// `bun run build`: compiles src/main.ts into the single binary dist/novacula (optionally with another
// version stamped: `bun scripts/build.ts --version 2.0.0 --outfile dist/novacula-2`).
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { version: { type: "string" }, outfile: { type: "string", default: "dist/novacula" } },
});

export async function buildBinary(outfile: string, version?: string): Promise<void> {
  // --bytecode ships JavaScriptCore bytecode instead of source to parse at every start: `novacula --version`
  // goes from ~250 ms to ~45 ms for ~10 MiB more binary (docs/benchmarks.md, Agent). It needs --format=esm.
  const args = ["build", "--compile", "--bytecode", "--format=esm", "src/main.ts", "--outfile", outfile];
  if (version) args.push("--define", `__NOVACULA_VERSION__=${JSON.stringify(version)}`);
  const proc = Bun.spawn([process.execPath, ...args], { stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) throw new Error(`bun build failed for ${outfile}`);
}

if (import.meta.main) {
  await buildBinary(values.outfile!, values.version);
}
