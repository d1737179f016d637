// What the browser tests read off a page and the host: accessibility, the node page's block height, phase
// and applied revision, the page's width on a phone, and the anvil process an agent runs for a node
// (found by its RPC port in /proc: the process supervisor runs it as a plain child).
import { expect } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { eventually } from "../../src/lib/eventually.ts";
import type { WatchedPage } from "./browser.ts";

/** How long live changes may take to show, polled at this interval. */
export const LIVE = { timeoutMs: 60_000, intervalMs: 250 };

export async function assertAccessible(w: WatchedPage, screen: string) {
  expect({ screen, violations: await w.accessibilityViolations() }).toEqual({ screen, violations: [] });
}

export async function blockHeight(w: WatchedPage): Promise<number | null> {
  const text = (await w.page.locator('[data-metric="Block height"]').textContent()) ?? "";
  const n = Number(text.replaceAll(",", ""));
  return text !== "—" && Number.isFinite(n) ? n : null;
}

export const phase = (w: WatchedPage) => w.page.locator("article header .badge").first();

/** The node page shows revision `n` as applied: the read-only spec is at n and no change is pending. */
export async function applied(w: WatchedPage, n: number) {
  await w.page
    .getByText(`The node's specification at revision ${n} (read-only).`)
    .waitFor({ timeout: LIVE.timeoutMs });
  await eventually(async () => (await w.page.getByText(/pending change/).count()) === 0, {
    ...LIVE,
    message: `revision ${n} applied by the executor`,
  });
  await phase(w).filter({ hasText: "running" }).waitFor({ timeout: LIVE.timeoutMs });
}

/** At a phone's width (390 px) the page does not scroll sideways; back to 1280 × 800 after. */
export async function fitsPhone(w: WatchedPage, screen: string) {
  await w.page.setViewportSize({ width: 390, height: 844 });
  // Measured once the page has reacted to the new width (resize observers run before the next frame).
  await w.page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  // The widest content against the visible width (the scroll bar takes its share of the 390).
  const [scrolled, visible] = await w.page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  await w.page.setViewportSize({ width: 1280, height: 800 });
  expect({ screen, overflow: scrolled! - visible! }).toEqual({ screen, overflow: 0 });
}

/**
 * The anvil process listening on `port` (the agent runs it as a direct child here): pid and command line.
 * Its executable is a content-addressed file (artifacts/<sha256>), so it is known by the flags its plan
 * always renders.
 */
export function anvilProcess(port: number): { pid: string; args: string[] } | null {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    const at = args.indexOf("--port");
    const anvil = args.includes("--block-time") && args.includes("--chain-id");
    if (anvil && at !== -1 && args[at + 1] === String(port)) return { pid, args };
  }
  return null;
}
export const anvilArgs = (port: number) => anvilProcess(port)?.args ?? null;
export const anvilPid = (port: number) => anvilProcess(port)?.pid ?? null;

export function blockTimeOf(port: number): string | null {
  const args = anvilArgs(port);
  const at = args?.indexOf("--block-time") ?? -1;
  return at === -1 ? null : (args![at + 1] ?? null);
}
/** A link of the sidebar (the node page has a "Nodes" breadcrumb too). */
export const sidebar = (w: WatchedPage, name: string) =>
  w.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name });
