// Test harness: a real headless Chromium (Debian's /usr/bin/chromium, installed by scripts/system-deps.ts)
// driven by playwright-core over the DevTools protocol. We start the browser ourselves, with a fresh
// profile in a directory the test made (never a browser download, nothing under /tmp), and every page
// records what a person would see go wrong: console errors, uncaught exceptions, failed or refused
// requests. Screenshots go to .cache/ui-screenshots (git-ignored; CI keeps them as artifacts).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { collectLines } from "../harness/processes.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = resolve(import.meta.dir, "../../.cache/ui-screenshots");
const AXE = resolve(import.meta.dir, "../../node_modules/axe-core/axe.min.js");

export interface BrowserHandle {
  browser: Browser;
  /** A fresh context (own cookies) with a 1280 × 800 page that records its problems. */
  page(): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors, failed requests and HTTP errors, except those `expected` admits. */
  problems: string[];
  /** Admit one kind of problem (e.g. the 401 of a deliberately wrong password). */
  expect(problem: RegExp): void;
  screenshot(name: string): Promise<void>;
  /** axe-core inside the page: the serious and critical violations, as "id: help (n nodes)". */
  accessibilityViolations(): Promise<string[]>;
}

/**
 * Chromium's temporary directory. It binds a Unix socket there, whose path may not exceed 107 bytes: under a
 * checkout in a long path (or one with spaces, as /srv/my projects/…) the test's own directory is too deep,
 * so the socket goes to a short directory of its own in /dev/shm (never /tmp: see testing.md).
 */
function shortTempDir(fallback: string): string {
  return existsSync("/dev/shm") ? mkdtempSync("/dev/shm/nv-ui-") : fallback;
}

/** How long one Chromium start may take, from spawn to a connected DevTools session. */
const START_MS = 30_000;

interface Started {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  browser: Browser;
  temp: string;
}

/** Spawns Chromium and connects to it, both within START_MS; on failure nothing of it is left running. */
async function startChromium(dir: string, attempt: number): Promise<Started> {
  // A profile per attempt: a killed start may leave its profile locked.
  const profile = join(dir, attempt === 1 ? "chromium-profile" : `chromium-profile-${attempt}`);
  mkdirSync(profile, { recursive: true });
  const temp = shortTempDir(dir);
  const proc: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(
    [
      CHROMIUM,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, HOME: dir, TMPDIR: temp },
      // Its own process group: close() ends the renderers and helpers with it, by that group's id.
      detached: true,
    },
  );
  const lines: string[] = [];
  const endpoint = Promise.withResolvers<string>();
  collectLines(proc.stderr, (line) => {
    lines.push(line);
    const match = /DevTools listening on (ws:\/\/\S+)/.exec(line);
    if (match) endpoint.resolve(match[1]!);
  });
  collectLines(proc.stdout, (line) => lines.push(line));
  const timer = setTimeout(
    () => endpoint.reject(new Error(`chromium did not start:\n${lines.join("\n")}`)),
    START_MS,
  );
  void proc.exited.then((code) =>
    endpoint.reject(new Error(`chromium exited ${code}:\n${lines.join("\n")}`)),
  );
  try {
    const browser = await chromium.connectOverCDP(await endpoint.promise, { timeout: START_MS });
    return { proc, browser, temp };
  } catch (error) {
    killGroup(proc);
    await proc.exited;
    if (temp !== dir) rmSync(temp, { recursive: true, force: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function killGroup(proc: Subprocess): void {
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export async function launchBrowser(dir: string): Promise<BrowserHandle> {
  // A rare start that stalls (a busy host) gets one more try rather than failing the whole file.
  const { proc, browser, temp } = await startChromium(dir, 1).catch((error: unknown) => {
    console.error(`chromium start failed, trying once more: ${(error as Error).message.split("\n")[0]}`);
    return startChromium(dir, 2);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    browser,
    async page() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const problems: string[] = [];
      const admitted: RegExp[] = [];
      const record = (problem: string) => {
        if (!admitted.some((re) => re.test(problem))) problems.push(problem);
      };
      page.on("console", (message) => {
        if (message.type() === "error") record(`console error: ${message.text()}`);
      });
      page.on("pageerror", (error) => record(`page error: ${error.message}`));
      page.on("requestfailed", (request) => {
        const error = request.failure()?.errorText ?? "";
        // The live stream (server-sent events) is open for as long as the page is: leaving the page or
        // signing out ends it, which the browser reports as an aborted request. Nobody sees that fail.
        if (error === "net::ERR_ABORTED" && request.headers().accept === "text/event-stream") return;
        record(`request failed: ${request.method()} ${request.url()} ${error}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400)
          record(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
      });
      return {
        page,
        context,
        problems,
        expect: (problem) => admitted.push(problem),
        screenshot: async (name) => {
          await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
        },
        async accessibilityViolations() {
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => {
            // axe is the global the script tag added.
            const result = await (globalThis as any).axe.run(document, {
              resultTypes: ["violations"],
            });
            return result.violations as { id: string; impact: string; help: string; nodes: unknown[] }[];
          });
          return violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`);
        },
      };
    },
    async close() {
      await browser.close().catch(() => {});
      killGroup(proc);
      await proc.exited;
      if (temp !== dir) rmSync(temp, { recursive: true, force: true });
    },
  };
}
