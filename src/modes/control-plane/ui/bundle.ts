// Builds the web UI (./app) with Bun's bundler into files held in memory: /index.html plus content-hashed
// JavaScript and CSS under /assets/. scripts/build.ts embeds the result in the binary; a control plane
// running from source (npm start, tests without NOVACULA_BINARY) calls it once, on the first page request.
import { join } from "node:path";

export interface UiFile {
  /** URL path, e.g. "/index.html" or "/assets/main-1a2b3c.js". */
  path: string;
  text: string;
}

const ENTRY = join(import.meta.dir, "app", "main.tsx");

/** The one HTML page: it only links the hashed bundle (same origin, nothing from a CDN). */
export function indexHtml(scripts: string[], styles: string[]): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    // An empty icon: otherwise the browser asks for /favicon.ico and logs the 404 as an error.
    '<title>Novacula</title><link rel="icon" href="data:,">',
    ...styles.map((href) => `<link rel="stylesheet" href="${href}">`),
    ...scripts.map((src) => `<script type="module" src="${src}"></script>`),
    '</head><body><div id="root"></div></body></html>',
  ].join("\n");
}

export async function bundleUi(): Promise<UiFile[]> {
  const result = await Bun.build({
    entrypoints: [ENTRY],
    target: "browser",
    format: "esm",
    minify: true,
    naming: "[name]-[hash].[ext]",
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) {
    throw new Error(`the web UI did not bundle:\n${result.logs.map(String).join("\n")}`);
  }
  const files: UiFile[] = [];
  for (const output of result.outputs) {
    const name = output.path.replace(/^.*\//, "");
    files.push({ path: `/assets/${name}`, text: await output.text() });
  }
  const assets = files.map((f) => f.path);
  const html = indexHtml(
    assets.filter((p) => p.endsWith(".js")),
    assets.filter((p) => p.endsWith(".css")),
  );
  return [{ path: "/index.html", text: html }, ...files];
}
