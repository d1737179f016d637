// `bun scripts/bench-ui-live.ts [--runs 9] [--build]`: how long a change an executor reports takes to show
// in an open node page (budget ≤ 1 s, docs/benchmarks.md). Starts the compiled control plane on a fresh
// SQLite file, registers an executor and a devnet node over the real protocol, signs in through the web UI
// in headless Chromium (test/ui/browser.ts) and opens the node's page. Each run is a spec change as it
// happens: a lifecycle action (stop or start) is written through GraphQL, the page shows "pending change",
// a second later the executor reports the new revision applied (with a new block height) via POST
// /api/v1/executor/observed, and the page's own clock records when the tile shows that block height
// (a MutationObserver in the page). The figure is that moment minus the moment the report was sent (same
// machine, same wall clock). Prints each run, the median, and the slowest. Not part of `npm test`.
import { rmSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXECUTOR_ID_HEADER } from "../src/protocol/index.ts";
import { launchBrowser } from "../test/ui/browser.ts";
import { ensureBinary } from "./bench/binary.ts";
import { ADMIN_EMAIL, DEVNET_SPEC, gql, signIn, startControlPlane } from "./bench/control-plane.ts";
import { syncBodyFor } from "./bench/setup.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "9" },
    binary: { type: "string", default: join(ROOT, "dist/novacula") },
    build: { type: "boolean", default: false },
  },
});
const RUNS = Number(flags.runs);
const BUDGET_MS = 1_000;
const log = (message: string) => console.error(`[bench-ui-live] ${message}`);

const binary = resolve(flags.binary!);
ensureBinary(binary, Boolean(flags.build), log);

const dir = join(ROOT, ".cache", "bench", `ui-live-${Date.now()}`);
const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
const port = probe.port;
probe.stop(true);
const origin = `http://127.0.0.1:${port}`;
const cp = await startControlPlane([binary], join(dir, "data"), {
  PORT: String(port),
  BETTER_AUTH_URL: origin,
});
const browser = await launchBrowser(dir);
try {
  const cookie = await signIn(cp.url);
  const created = await gql(
    cp.url,
    cookie,
    'mutation { createApiKey(input: { name: "bench-live" }) { key } }',
  );
  const key = (created.data!.createApiKey as { key: string }).key;
  const body = { ...syncBodyFor(0), name: "live-bench" };
  const sync = async () => {
    const r = await fetch(`${cp.url}/api/v1/executor/sync`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await r.json()) as { executorId: string };
  };
  const { executorId } = await sync();
  const node = await gql(cp.url, cookie, "mutation($d: NodeCreateInput!) { createNode(data: $d) { id } }", {
    d: { executorId, name: "live-bench", spec: DEVNET_SPEC },
  });
  const nodeId = (node.data!.createNode as { id: string }).id;
  const report = async (revision: number, blockHeight: number, status: string) => {
    await fetch(`${cp.url}/api/v1/executor/observed`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        [EXECUTOR_ID_HEADER]: executorId,
      },
      body: JSON.stringify({
        observations: [{ nodeId, revision, processes: [{ role: "node", status }], metrics: { blockHeight } }],
      }),
    });
  };
  await report(1, 1, "running");

  const w = await browser.page();
  const { page } = w;
  await page.goto(`${origin}/sign-in`);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill("bench-password-0123");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/nodes$/);
  await page.getByRole("link", { name: "live-bench" }).click();
  await page.locator('[data-metric="Block height"]', { hasText: /^1$/ }).waitFor();

  /** Installs a watcher in the page that records (page clock) when `selector` is there (reading `text`). */
  const watch = (selector: string, text: string | null) =>
    page.evaluate(
      ([sel, want]) => {
        const state = globalThis as unknown as { seenAt?: number };
        state.seenAt = undefined;
        const found = () => document.querySelector(sel as string);
        const seen = () => (want === null ? !!found() : found()?.textContent?.replaceAll(",", "") === want);
        const observer = new MutationObserver(() => {
          if (!seen()) return;
          state.seenAt = performance.timeOrigin + performance.now();
          observer.disconnect();
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      },
      [selector, text],
    );
  const seenAfter = async (sentAt: number) => {
    const seenAt = await page.waitForFunction(
      () => (globalThis as unknown as { seenAt?: number }).seenAt,
      null,
      {
        timeout: 10_000,
      },
    );
    return ((await seenAt.jsonValue()) as number) - sentAt;
  };

  const figures: number[] = [];
  const writes: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const action = run % 2 === 1 ? "stop" : "start";
    // The spec write itself reaches the page too (polled by the server, not signalled): timed as well.
    await watch(`[data-pending="${run + 1}"]`, null);
    const writtenAt = Date.now();
    const written = await gql(
      cp.url,
      cookie,
      `mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: ${action}) { revision } }`,
      { id: nodeId },
    );
    const revision = (written.data!.requestNodeLifecycleAction as { revision: number }).revision;
    writes.push(await seenAfter(writtenAt));
    // The executor applies the change a moment later, as an agent's reconcile does.
    await Bun.sleep(1_000);
    await sync();
    const height = 1_000 + run;
    await watch('[data-metric="Block height"]', String(height));
    const sentAt = Date.now();
    await report(revision, height, action === "stop" ? "stopped" : "running");
    const ms = await seenAfter(sentAt);
    figures.push(ms);
    log(
      `run ${run}: ${action} written, shown ${writes.at(-1)?.toFixed(0)} ms later; applied, shown ${ms.toFixed(0)} ms later`,
    );
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      runs: values.map((v) => Math.round(v)),
      medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] as number),
      maxMs: Math.round(sorted.at(-1) as number),
    };
  };
  const applied = stats(figures);
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    budgetMs: BUDGET_MS,
    "executor reports the change applied → shown": applied,
    "spec written → pending change shown": stats(writes),
    problems: w.problems,
  };
  console.log(JSON.stringify(result, null, 2));
  if (applied.medianMs > BUDGET_MS) process.exitCode = 1;
} finally {
  await browser.close();
  await cp.stop();
  // The browser profile and database are scratch; a failed run keeps them (and the log) for a look.
  if (process.exitCode) log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
