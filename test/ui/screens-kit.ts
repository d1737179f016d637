// Shared by the organization screens' browser tests: one control plane (the compiled binary under
// `npm test`) and one headless Chromium per test file, a person signed in through the real sign-in form,
// and the checks every screen gets: axe-core in the light and the dark theme (no serious or critical
// issue), nothing sticking out past a phone's width, and a 1280 × 800 screenshot in .cache/ui-screenshots.
import { afterAll, beforeAll, expect } from "bun:test";
import { makeTestDir } from "../agent/helpers.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane, type User } from "../tenancy/world.ts";
import { type BrowserHandle, launchBrowser, type WatchedPage } from "./browser.ts";

export const T = 240_000;
export const LIVE = { timeoutMs: 30_000, intervalMs: 250 };

export interface ScreensWorld {
  cp: ControlPlaneHandle;
  api: Api;
  browser: BrowserHandle;
  /** A scratch directory of this file's (downloads). */
  dir: string;
  /** A URL of the control plane at its public address (sign-in checks the origin). */
  at(path: string): string;
  /** A fresh browser context signed in as `user` through the sign-in form, on `path`. */
  signedIn(user: Pick<User, "email" | "password">, path: string): Promise<WatchedPage>;
}

/** Starts the control plane and browser before the file's tests and stops them after. */
export function screensWorld(name: string): ScreensWorld {
  const scratch = makeTestDir(name);
  const world = { dir: scratch.dir } as ScreensWorld;
  world.at = (path) => `http://localhost:${world.cp.port}${path}`;
  world.signedIn = async (user, path) => {
    const w = await world.browser.page();
    await w.page.goto(world.at(`/sign-in?next=${encodeURIComponent(path)}`));
    await w.page.getByLabel("Email").fill(user.email);
    await w.page.getByLabel("Password").fill(user.password);
    await w.page.getByRole("button", { name: "Sign in" }).click();
    await w.page.waitForURL((url) => url.pathname === path.split("?")[0]);
    return w;
  };
  beforeAll(async () => {
    world.cp = await startTenancyPlane();
    world.api = new Api(world.cp);
    world.browser = await launchBrowser(scratch.dir);
  }, T);
  afterAll(async () => {
    await world.browser?.close();
    await world.cp?.stop();
    scratch.cleanup();
  }, T);
  return world;
}

/**
 * axe-core finds nothing serious (light and dark themes), nothing sticks out at a phone's width, and a
 * 1280 × 800 screenshot is kept.
 */
export async function checkScreen(w: WatchedPage, screen: string) {
  expect({ screen, violations: await w.accessibilityViolations() }).toEqual({ screen, violations: [] });
  await w.screenshot(screen);
  await w.page.setViewportSize({ width: 390, height: 844 });
  // What sticks out past the page's width (a wide table scrolls inside its own box instead).
  const overflowing = await w.page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter(
        (e) => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-scroll, dialog:not([open])"),
      )
      .slice(0, 3)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`,
      );
  });
  expect({ screen, overflowing }).toEqual({ screen, overflowing: [] });
  await w.page.setViewportSize({ width: 1280, height: 800 });
  // The dark theme (the system's choice) must stay readable too: axe checks its contrast.
  await w.page.emulateMedia({ colorScheme: "dark" });
  const dark = `${screen} (dark)`;
  expect({ screen: dark, violations: await w.accessibilityViolations() }).toEqual({
    screen: dark,
    violations: [],
  });
  await w.page.emulateMedia({ colorScheme: "light" });
}

export const sidebar = (w: WatchedPage, name: string) =>
  w.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

/** The table rows whose text holds `text`. */
export const row = (w: WatchedPage, text: string | RegExp) =>
  w.page.getByRole("row").filter({ hasText: text });
