// `npm test` / `npm run check`: every gate in one command, the same on a laptop and in CI.
//   system deps → type check → lint → migration drift → compiled binary + smoke → the whole bun test suite.
//   geth (a real Ethereum client for the tests) is built alongside the gates, once: later runs find it cached.
// Prints a final "N passed, N failed" line. Options: --only <path…> runs just those test paths (no gates).
import { existsSync, readFileSync } from "node:fs";
import { buildBinary } from "./build.ts";
import { renderMigrationsIndex } from "./gen-migrations-index.ts";
import { ensureSystemPackages } from "./system-deps.ts";
import { ensureTestGeth } from "./test-geth.ts";

const BIN = "node_modules/.bin";
const only = process.argv.includes("--only") ? process.argv.slice(process.argv.indexOf("--only") + 1) : null;

async function run(name: string, cmd: string[], env: Record<string, string> = {}): Promise<string> {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${cmd.join(" ")}`);
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const out: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, sink: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value);
      out.push(text);
      sink.write(text);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  const code = await proc.exited;
  console.log(`◀ ${name}: exit ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) throw new GateError(name, out.join(""));
  return out.join("");
}

class GateError extends Error {
  constructor(
    readonly gate: string,
    readonly output: string,
  ) {
    super(`${gate} failed`);
  }
}

function migrationsIndexUpToDate(): void {
  const journal = JSON.parse(readFileSync("src/db/migrations/meta/_journal.json", "utf8")) as {
    entries: { tag: string }[];
  };
  const expected = renderMigrationsIndex(journal.entries.map((e) => e.tag));
  if (readFileSync("src/db/migrations/index.ts", "utf8") !== expected) {
    throw new GateError("migrations index", "src/db/migrations/index.ts is stale: run `npm run db:generate`");
  }
}

/** bun's summary (" 12 pass", " 1 fail") → counts. */
function counts(output: string): { passed: number; failed: number } {
  const passed = [...output.matchAll(/^\s*(\d+) pass$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  const failed = [...output.matchAll(/^\s*(\d+) fail$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { passed, failed };
}

/**
 * Each failed test with what bun printed for it (the lines since the previous test's verdict), so a run whose
 * log is only read from its end (CI) still shows why a test failed.
 */
function failureRecap(output: string): string {
  const lines = output.split("\n");
  const recap: string[] = [];
  let since = 0;
  lines.forEach((line, index) => {
    if (/^\((pass|skip|todo)\)/.test(line)) since = index + 1;
    if (!line.startsWith("(fail)")) return;
    const detail = lines.slice(Math.max(since, index - 40), index).filter((l) => l.trim() !== "");
    recap.push(line, ...detail.map((l) => `    ${l.slice(0, 300)}`));
    since = index + 1;
  });
  return recap.join("\n");
}

let testOutput = "";
try {
  await ensureSystemPackages();
  const geth = ensureTestGeth(undefined, (line) => console.log(`[geth] ${line}`)).catch((error) => {
    throw new GateError("geth build", String(error));
  });
  geth.catch(() => {}); // awaited before the tests; a failure must not go unhandled while the gates run
  if (!only) {
    await run("type check", [`${BIN}/tsc`, "--noEmit", "-p", "."]);
    await run("lint", [`${BIN}/biome`, "check", "."]);
    migrationsIndexUpToDate();
    const drift = await run("migration drift", [`${BIN}/drizzle-kit`, "generate", "--name", "drift"]);
    if (!drift.includes("No schema changes")) {
      throw new GateError(
        "migration drift",
        "the drizzle schema changed without a migration: run `npm run db:generate` and commit it",
      );
    }
    console.log("\n▶ build: dist/novacula");
    await buildBinary("dist/novacula");
    const version = (await run("binary smoke", ["dist/novacula", "--version"])).trim();
    const expected = JSON.parse(readFileSync("package.json", "utf8")).version;
    if (version !== expected)
      throw new GateError("binary smoke", `dist/novacula --version printed ${version}, expected ${expected}`);
  }
  const paths = only ?? ["test"];
  const gethBinary = await geth;
  try {
    testOutput = await run("tests", [process.execPath, "test", "--timeout", "120000", ...paths], {
      ...(existsSync("dist/novacula") ? { NOVACULA_BINARY: `${process.cwd()}/dist/novacula` } : {}),
      NOVACULA_TEST_GETH: gethBinary,
    });
  } catch (error) {
    if (error instanceof GateError) testOutput = error.output;
    throw error;
  }
  const { passed, failed } = counts(testOutput);
  console.log(`\ncheck: ${passed} passed, ${failed} failed`);
} catch (error) {
  const { passed, failed } = counts(testOutput);
  console.error(`\ncheck: ${error instanceof GateError ? `${error.gate} failed` : String(error)}`);
  if (error instanceof GateError && error.gate !== "tests") console.error(error.output.slice(-4000));
  if (failed > 0) console.error(`\ncheck: why each test failed\n${failureRecap(testOutput).slice(-12000)}`);
  console.log(`\ncheck: ${passed} passed, ${Math.max(failed, 1)} failed`);
  process.exit(1);
}
