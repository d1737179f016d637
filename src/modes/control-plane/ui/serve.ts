// Serves the web UI: index.html at every client-side route (no-cache, so a new build is picked up at once)
// and the hashed assets (immutable: their name changes with their content), gzip-compressed when the
// browser accepts it. The files come from the binary (embedded by scripts/build.ts as a global set before
// main runs) or, when running from source, from bundling ./app once on the first request.
import { Elysia } from "elysia";
import { bundleUi, type UiFile } from "./bundle.ts";

declare global {
  /** URL path → file text; set by the compiled binary's generated entry (scripts/build.ts). */
  var __NOVACULA_UI__: Record<string, string> | undefined;
}

/** The client-side routes (src/modes/control-plane/ui/app/router.tsx): each answers with index.html. */
export const UI_ROUTES = [
  "/",
  "/sign-in",
  "/nodes",
  "/nodes/*",
  "/executors",
  "/executors/*",
  "/events",
  "/admin",
  "/keys",
  "/members",
  "/organization",
  "/account",
  "/audit",
  "/invite/*",
  "/settings",
  "/settings/*",
  "/incidents",
] as const;

interface Served {
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  type: string;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

let loading: Promise<Map<string, Served>> | null = null;

async function load(): Promise<Map<string, Served>> {
  const embedded = globalThis.__NOVACULA_UI__;
  const files: UiFile[] = embedded
    ? Object.entries(embedded).map(([path, text]) => ({ path, text }))
    : await bundleUi();
  const served = new Map<string, Served>();
  for (const { path, text } of files) {
    const body = new TextEncoder().encode(text);
    const type = TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
    served.set(path, { body, gzip: new Uint8Array(Bun.gzipSync(body)), type });
  }
  return served;
}

function uiFiles(): Promise<Map<string, Served>> {
  loading ??= load().catch((error) => {
    loading = null; // a failed bundle is retried on the next request
    throw error;
  });
  return loading;
}

function respond(file: Served, request: Request, cacheControl: string): Response {
  const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
  const headers: Record<string, string> = {
    "content-type": file.type,
    "cache-control": cacheControl,
    vary: "accept-encoding",
    "x-content-type-options": "nosniff",
  };
  if (gzip) headers["content-encoding"] = "gzip";
  return new Response(gzip ? file.gzip : file.body, { headers });
}

async function page({ request }: { request: Request }): Promise<Response> {
  const index = (await uiFiles()).get("/index.html");
  if (!index) throw new Error("the web UI has no index.html");
  return respond(index, request, "no-cache");
}

async function asset({ request, params }: { request: Request; params: { file: string } }) {
  const file = (await uiFiles()).get(`/assets/${params.file}`);
  if (!file) return new Response("no such asset", { status: 404, headers: { "content-type": "text/plain" } });
  return respond(file, request, "public, max-age=31536000, immutable");
}

/** Paths that belong to the API, whose unknown URLs keep answering with the error envelope. */
const API_PATHS = /^\/(api|graphql|metrics|healthz|assets|install\.sh)(\/|$)/;

/**
 * A browser that opens an unknown address (a typo, an old bookmark) gets the app with status 404, and the app
 * shows its "Page not found" screen with a way back, rather than a JSON error. API paths, and clients that do
 * not ask for HTML, still get the envelope: null.
 */
export async function pageNotFound(request: Request): Promise<Response | null> {
  if (request.method !== "GET" || !(request.headers.get("accept") ?? "").includes("text/html")) return null;
  if (API_PATHS.test(new URL(request.url).pathname)) return null;
  const index = (await uiFiles()).get("/index.html");
  if (!index) return null;
  const response = respond(index, request, "no-cache");
  return new Response(response.body, { status: 404, headers: response.headers });
}

export function uiRoutes() {
  const app = new Elysia().get("/assets/:file", asset);
  for (const route of UI_ROUTES) app.get(route, page);
  return app;
}
