#!/usr/bin/env bun
// `bun scripts/bench-ui-list.ts [--runs 7] [--nodes 2000] [--build]`: the nodes list with 2,000 nodes in
// headless Chromium, against the compiled control plane on a fresh SQLite file. Sets up 4 executors and
// `--nodes` devnet nodes through the public APIs, reports observations so the nodes spread over four
// phases (70 % running, 10 % each stopped, syncing, error), signs in, and times in the page, from the
// user's action to the list's rows being in the DOM and the next frame:
//   - cold: a full page load of /nodes (HTML, JavaScript, session, first page of rows), for information:
//     the first load's own budget is its weight (scripts/bench-ui.ts);
//   - open: from clicking Nodes in the sidebar (app freshly loaded on Executors, so no nodes page cached)
//     to the first page of rows;
//   - phase: choosing a phase (error) until every row shown has it (filtered by the server over all nodes);
//   - search: typing a name fragment until only matching rows are shown;
//   - clear: clearing the filters until the unfiltered first page is back.
// Prints each figure's median and every run (budget: ≤ 200 ms to render and to filter). Not part of
// `npm test`; figures go to docs/benchmarks.md.
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXECUTOR_ID_HEADER } from "../src/protocol/index.ts";
import { makeTestDir } from "../test/agent/helpers.ts";
import { launchBrowser, type WatchedPage } from "../test/ui/browser.ts";
import { ensureBinary } from "./bench/binary.ts";
import { batchedMutations, DEVNET_SPEC, gql, signIn, startControlPlane } from "./bench/control-plane.ts";
import { createKeys, registerExecutors } from "./bench/setup.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    nodes: { type: "string", default: "2000" },
    binary: { type: "string", default: join(ROOT, "dist/novacula") },
    build: { type: "boolean", default: false },
  },
});
const RUNS = Number(flags.runs);
const NODES = Number(flags.nodes);
const EXECUTORS = 4;
const BUDGET_MS = 200;
const log = (message: string) => console.error(`[bench-ui-list] ${message}`);

const binary = resolve(flags.binary!);
ensureBinary(binary, Boolean(flags.build), log);

/** A port free a moment ago: the public URL (and so the browser's origin) must name it. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

const STATUS = (i: number) =>
  i % 10 === 1 ? "stopped" : i % 10 === 2 ? "syncing" : i % 10 === 3 ? "error" : "running";
const nodeName = (i: number) => `node-${String(i).padStart(4, "0")}`;

const scratch = makeTestDir("bench-ui-list");
const port = freePort();
const cp = await startControlPlane([binary], join(scratch.dir, "cp"), {
  PORT: String(port),
  BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
  // The executors sync once: keep them online (and their nodes' observations current) for the run.
  HEARTBEAT_TIMEOUT_MS: "3600000",
});
const browser = await launchBrowser(scratch.dir);
try {
  const cookie = await signIn(cp.url);
  log(`setting up ${EXECUTORS} executors and ${NODES} nodes`);
  const keys = await createKeys(cp.url, cookie, EXECUTORS);
  const executorIds = await registerExecutors(cp.url, keys, EXECUTORS);
  const nodes: { i: number; id: string }[] = [];
  await batchedMutations(
    cp.url,
    cookie,
    Array.from({ length: NODES }, (_, i) => i),
    (i, alias) =>
      `${alias}: createNode(data: { executorId: "${executorIds.get(i % EXECUTORS)}", name: "${nodeName(i)}", spec: $spec }) { id }`,
    {
      // Small documents: each stays well inside the per-request time budget on a busy machine.
      batch: 5,
      concurrency: 2,
      variables: { declarations: "$spec: JSON!", values: { spec: DEVNET_SPEC } },
      onAck: (items, data) =>
        items.forEach((i, k) => {
          nodes.push({ i, id: (data[`m${k}`] as { id: string }).id });
        }),
    },
  );
  for (let e = 0; e < EXECUTORS; e++) {
    const mine = nodes.filter((n) => n.i % EXECUTORS === e);
    for (let k = 0; k < mine.length; k += 500) {
      const response = await fetch(`${cp.url}/api/v1/executor/observed`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${keys[e]}`,
          [EXECUTOR_ID_HEADER]: executorIds.get(e)!,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          observations: mine.slice(k, k + 500).map((n) => ({
            nodeId: n.id,
            revision: 1,
            processes: [{ role: "node", status: STATUS(n.i) }],
          })),
        }),
      });
      if (!response.ok) throw new Error(`observations: HTTP ${response.status} ${await response.text()}`);
    }
  }
  const errors = nodes.filter((n) => STATUS(n.i) === "error").length;

  // The request the list sends, timed alone (round trip on loopback): the server's share of each figure.
  const listQuery = `query($where: NodeWhereInput) { nodes(where: $where, orderBy: { name: asc }, take: 101) {
    id name executorId phase drifted observedStale spec } }`;
  const api: Record<string, number[]> = {
    "api: first page": [],
    "api: phase=error": [],
    "api: name~node-01": [],
  };
  const wheres: Record<string, unknown> = {
    "api: first page": {},
    "api: phase=error": { phase: "error" },
    "api: name~node-01": { name: { contains: "node-01" } },
  };
  for (let run = 0; run < RUNS; run++)
    for (const [name, where] of Object.entries(wheres)) {
      const start = performance.now();
      await gql(cp.url, cookie, listQuery, { where });
      api[name]!.push(performance.now() - start);
    }

  const w = await browser.page();
  // Each cold load navigates away from a page whose live poll may be in flight: that abort is ours.
  w.expect(/net::ERR_ABORTED/);
  await w.context.addCookies(
    cookie.split("; ").map((pair) => {
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: `${cp.url}/` };
    }),
  );
  // Before any script of the page runs: note when the first page of rows is in the DOM (and painted).
  await w.page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (document.querySelectorAll("tbody tr").length !== 100) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        (window as { rowsAt?: number }).rowsAt = performance.now();
      });
    });
    observer.observe(document, { subtree: true, childList: true });
  });
  const figures: Record<string, number[]> = { cold: [], open: [], phase: [], search: [], clear: [] };
  // Observations are stored in batches: wait until the server filters see all of them.
  await w.page.goto(`${cp.url}/nodes?phase=error`);
  await w.page.waitForFunction(
    (n) => document.querySelectorAll("tbody tr").length === Math.min(n, 100),
    errors,
    { timeout: 60_000 },
  );
  for (let run = 0; run < RUNS; run++) {
    figures.cold!.push(await coldLoad(w, `${cp.url}/nodes`));
    // A fresh load of another screen: the app is loaded but no nodes page is cached.
    await w.page.goto(`${cp.url}/executors`);
    await w.page.getByRole("row", { name: /bench-0/ }).waitFor();
    figures.open!.push(await timed(w, "open"));
    figures.phase!.push(await timed(w, "phase"));
    figures.clear!.push(await timed(w, "clear"));
    figures.search!.push(await timed(w, "search"));
    figures.clear!.push(await timed(w, "clear"));
  }
  if (w.problems.length > 0) throw new Error(`the page reported problems:\n${w.problems.join("\n")}`);

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cpu = cpus()[0]?.model ?? "unknown";
  console.log(`machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; ${NODES} nodes`);
  console.log("figure\tmedian\truns (ms)");
  for (const [name, xs] of [...Object.entries(figures), ...Object.entries(api)]) {
    console.log(`${name}\t${median(xs).toFixed(1)} ms\t${xs.map((x) => x.toFixed(1)).join(", ")}`);
  }
  const worst = Math.max(...["open", "phase", "search", "clear"].map((n) => median(figures[n]!)));
  console.log(`\nrender and filter, worst median: ${worst.toFixed(1)} ms (budget ${BUDGET_MS} ms)`);
  if (worst > BUDGET_MS) process.exitCode = 1;
} finally {
  await browser.close();
  await cp.stop();
  scratch.cleanup();
}

/** A full load of `url` until the first page of rows is in the DOM (and the next frame), from its start. */
async function coldLoad(w: WatchedPage, url: string): Promise<number> {
  await w.page.goto(url);
  await w.page.waitForFunction(() => (window as { rowsAt?: number }).rowsAt !== undefined);
  return w.page.evaluate(() => (window as { rowsAt?: number }).rowsAt!);
}

/**
 * Performs `step` in the page and resolves, at the next frame after the rows match what it asks for,
 * with the milliseconds since the action.
 */
function timed(w: WatchedPage, step: "open" | "phase" | "search" | "clear"): Promise<number> {
  return w.page.evaluate((step) => {
    const rows = () => [...document.querySelectorAll("tbody tr")];
    const cell = (row: Element, i: number) => row.querySelectorAll("td")[i]?.textContent ?? "";
    const setValue = (element: HTMLInputElement | HTMLSelectElement, value: string) => {
      // React tracks the value it last rendered: set it through the native setter so the event counts.
      const proto =
        element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, "value")!.set!.call(element, value);
      element.dispatchEvent(
        new Event(element instanceof HTMLSelectElement ? "change" : "input", { bubbles: true }),
      );
    };
    const byLabel = <T extends HTMLElement>(text: string) =>
      [...document.querySelectorAll("label")].find((l) => l.textContent?.trim().startsWith(text))
        ?.control as T;
    // Column 0 is the selection box; then name, chain, client, executor, phase.
    const checks: Record<typeof step, () => boolean> = {
      open: () => rows().length === 100,
      phase: () => rows().length > 0 && rows().every((r) => cell(r, 5).startsWith("error")),
      search: () => rows().length === 100 && rows().every((r) => cell(r, 1).startsWith("node-01")),
      clear: () =>
        rows().length === 100 &&
        rows().some((r) => !cell(r, 5).startsWith("error")) &&
        cell(rows()[0]!, 1) === "node-0000",
    };
    const act: Record<typeof step, () => void> = {
      open: () =>
        [...document.querySelectorAll("nav a")]
          .find((a) => a.textContent === "Nodes")!
          .dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 })),
      phase: () => setValue(byLabel<HTMLSelectElement>("Phase"), "error"),
      search: () => setValue(byLabel<HTMLInputElement>("Name"), "node-01"),
      clear: () =>
        [...document.querySelectorAll("button")].find((b) => b.textContent === "Clear all")!.click(),
    };
    return new Promise<number>((done) => {
      const start = performance.now();
      const observer = new MutationObserver(() => {
        if (!checks[step]()) return;
        observer.disconnect();
        requestAnimationFrame(() => done(performance.now() - start));
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      act[step]();
    });
  }, step);
}
