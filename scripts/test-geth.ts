// The real geth the tests run: built from its Go module (go-ethereum at a pinned version, through the Go
// module proxy go is configured with) into a cache outside the clone, once; later calls return the cached
// binary at once. The module cache and build cache live in the same directory, so a rebuild reuses them.
// No go new enough on the machine: Debian's golang-go is installed, and when that is older than the module's
// go directive, the matching Go toolchain is fetched as the Go module it is published as (what go's own
// toolchain switching does). Used by `npm test` (scripts/check.ts) and by test/harness/geth.ts.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { aptInstall } from "./system-deps.ts";

export const GETH_MODULE = "github.com/ethereum/go-ethereum";
export const GETH_VERSION = "1.17.10";
/** The go directive of go-ethereum v1.17.10's go.mod: the oldest Go that builds it. */
export const GO_MINIMUM = "1.25.0";

const GOARCH: Record<string, string> = { x64: "amd64", arm64: "arm64" };

/** ~/.cache/novacula/geth-v<version>/ (or under $XDG_CACHE_HOME): outside any clone, kept between runs. */
export function gethCacheDir(version = GETH_VERSION): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "novacula", `geth-v${version}`);
}

/** Where the binary of a version lands; it exists only once a build finished (see the stamp). */
export function gethBinaryPath(version = GETH_VERSION): string {
  return join(gethCacheDir(version), "bin", "geth");
}

const stampPath = (version: string) => join(gethCacheDir(version), "built.json");

/** The cached binary of a finished build, or null. */
export function cachedGeth(version = GETH_VERSION): string | null {
  const binary = gethBinaryPath(version);
  return existsSync(binary) && existsSync(stampPath(version)) ? binary : null;
}

async function output(
  cmd: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; text: string }> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, text: `${out}${err}` };
}

/** "go1.26.8" → "1.26.8", "go1.19" → "1.19.0"; null for anything else. */
export function goSemver(goVersion: string): string | null {
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(goVersion.trim());
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : null;
}

async function versionOf(go: string): Promise<string | null> {
  if (!existsSync(go)) return null;
  // GOTOOLCHAIN=local: the version of this very binary, never one it would switch to.
  const { code, text } = await output([go, "env", "GOVERSION"], { GOTOOLCHAIN: "local" }).catch(() => ({
    code: 1,
    text: "",
  }));
  return code === 0 ? goSemver(text) : null;
}

const newEnough = (version: string | null) => version !== null && Bun.semver.order(version, GO_MINIMUM) >= 0;

/** The go binaries worth trying, best first: $NOVACULA_GO, the upstream install, PATH, Debian's. */
function goCandidates(): string[] {
  const fromPath = Bun.which("go");
  const list = [process.env.NOVACULA_GO, "/usr/local/go/bin/go", fromPath, "/usr/lib/go/bin/go"];
  return [...new Set(list.filter((p): p is string => Boolean(p)))];
}

/** The first go new enough, else the first that runs at all (`runs`), with every one seen. */
async function findGo(): Promise<{ go: string | null; runs: string | null; seen: string[] }> {
  const seen: string[] = [];
  let runs: string | null = null;
  for (const go of goCandidates()) {
    const version = await versionOf(go);
    if (!version) continue;
    seen.push(`${go} (${version})`);
    if (newEnough(version)) return { go, runs: go, seen };
    runs ??= go;
  }
  return { go: null, runs, seen };
}

/**
 * The Go toolchain GO_MINIMUM for this machine, fetched with an older go as the Go module
 * golang.org/toolchain (the form go itself downloads toolchains in) and made runnable: module zips carry no
 * file modes, so its programs are marked executable here, as go's own toolchain switch does.
 */
export async function toolchainFromModule(
  oldGo: string,
  cache: string,
  log: (line: string) => void,
): Promise<string> {
  const arch = GOARCH[process.arch];
  if (!arch) throw new Error(`no Go toolchain module for ${process.arch}`);
  const module = `golang.org/toolchain@v0.0.1-go${GO_MINIMUM}.linux-${arch}`;
  log(`fetching Go ${GO_MINIMUM} as the module ${module} with ${oldGo}`);
  const env = { GOMODCACHE: join(cache, "gomod"), GOFLAGS: "-modcacherw", GOTOOLCHAIN: "local" };
  const { code, text } = await output([oldGo, "mod", "download", "-json", module], env);
  if (code !== 0) throw new Error(`go mod download ${module} failed:\n${text.slice(-2000)}`);
  const dir = (JSON.parse(text) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module} named no directory:\n${text.slice(-2000)}`);
  const bin = join(dir, "bin");
  const tools = join(dir, "pkg", "tool");
  for (const file of readdirSync(bin)) chmodSync(join(bin, file), 0o755);
  for (const platform of existsSync(tools) ? readdirSync(tools) : []) {
    for (const file of readdirSync(join(tools, platform))) chmodSync(join(tools, platform, file), 0o755);
  }
  return join(bin, "go");
}

/** A go that builds the module: one on the machine, else Debian's golang-go, else a toolchain module. */
async function ensureGo(cache: string, log: (line: string) => void): Promise<string> {
  const first = await findGo();
  if (first.go) return first.go;
  log(`no go >= ${GO_MINIMUM} found (${first.seen.join(", ") || "none"}): installing Debian's golang-go`);
  await aptInstall(["golang-go"]);
  const second = await findGo();
  if (second.go) return second.go;
  if (!second.runs) throw new Error(`no go runs after installing golang-go: install Go >= ${GO_MINIMUM}`);
  // Debian bookworm's golang-go is Go 1.19: too old for the module, but able to fetch a newer toolchain.
  const go = await toolchainFromModule(second.runs, cache, log);
  if (!newEnough(await versionOf(go))) throw new Error(`the fetched toolchain at ${go} does not run`);
  return go;
}

/**
 * The path of a geth binary built from GETH_MODULE at `version`: the cached one, or a fresh
 * `go install …/cmd/geth@v<version>` into the cache (minutes on 2 cores).
 */
export async function ensureTestGeth(
  version = GETH_VERSION,
  log: (line: string) => void = console.log,
): Promise<string> {
  const cached = cachedGeth(version);
  if (cached) return cached;
  const cache = gethCacheDir(version);
  mkdirSync(cache, { recursive: true });
  const go = await ensureGo(cache, log);
  const started = Date.now();
  const target = `${GETH_MODULE}/cmd/geth@v${version}`;
  log(`building geth: ${go} install ${target} (GOBIN ${join(cache, "bin")})`);
  const { code, text } = await output([go, "install", target], {
    GOBIN: join(cache, "bin"),
    GOMODCACHE: join(cache, "gomod"),
    GOCACHE: join(cache, "gocache"),
    GOFLAGS: "-trimpath -buildvcs=false -modcacherw",
    GOTOOLCHAIN: "local",
  });
  if (code !== 0) throw new Error(`go install ${target} failed:\n${text.slice(-4000)}`);
  const seconds = Math.round((Date.now() - started) / 1000);
  const goVersion = await versionOf(go);
  writeFileSync(
    stampPath(version),
    `${JSON.stringify({ module: target, go: goVersion, seconds }, null, 2)}\n`,
  );
  log(`built geth ${version} in ${seconds} s`);
  return gethBinaryPath(version);
}

/** What the stamp of a finished build says (module, go version, seconds), for reports. */
export function gethBuildRecord(version = GETH_VERSION): Record<string, unknown> | null {
  const path = stampPath(version);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : null;
}

if (import.meta.main) console.log(await ensureTestGeth());
