// Runs `novacula` as a user would, to completion: the compiled binary when NOVACULA_BINARY names it,
// otherwise src/main.ts under the pinned bun. Only PATH and the given variables reach it; a run that does
// not exit within 30 s is killed (its exit code then says so).
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const CMD = process.env.NOVACULA_BINARY
  ? [process.env.NOVACULA_BINARY]
  : [join(ROOT, "node_modules/.bin/bun"), join(ROOT, "src/main.ts")];

export async function novacula(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const proc = Bun.spawn([...CMD, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { stdout, stderr, code };
}
