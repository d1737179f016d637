#!/usr/bin/env bun
// `bun scripts/bench-ui.ts`: the web UI's first-load weight, the figure its budget is about (≤ 300 KB of
// compressed JavaScript, docs/benchmarks.md). Bundles the UI exactly as the binary embeds it and prints,
// per file, the raw, gzip (what the control plane sends, Bun.gzipSync at its default level) and brotli sizes.
import { brotliCompressSync } from "node:zlib";
import { bundleUi } from "../src/modes/control-plane/ui/bundle.ts";

const BUDGET_JS_GZIP_BYTES = 300 * 1024;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const files = await bundleUi();
let jsGzip = 0;
console.log("file\traw\tgzip\tbrotli");
for (const file of files) {
  const raw = new TextEncoder().encode(file.text);
  const gzip = Bun.gzipSync(raw).byteLength;
  const brotli = brotliCompressSync(raw).byteLength;
  if (file.path.endsWith(".js")) jsGzip += gzip;
  console.log(`${file.path}\t${kib(raw.byteLength)}\t${kib(gzip)}\t${kib(brotli)}`);
}
console.log(`\nfirst-load JavaScript, gzip: ${kib(jsGzip)} (budget ${kib(BUDGET_JS_GZIP_BYTES)})`);
if (jsGzip > BUDGET_JS_GZIP_BYTES) {
  console.error("over budget");
  process.exit(1);
}
