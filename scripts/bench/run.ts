// What every fleet benchmark does around its measurement: re-run itself inside a private network namespace
// (loopback only, more ephemeral ports, a higher open-file limit), and wait for a condition with a deadline.
import { execFileSync } from "node:child_process";

/**
 * Unless already inside one (or `skip`), re-runs this script in a new network namespace where only `lo`
 * exists and exits with its code; returns when the caller is the inner run (or skipped).
 */
export async function reexecInNetns(script: string, fds: number, skip: boolean): Promise<void> {
  if (skip || process.env.NOVACULA_BENCH_NETNS === "1") return;
  const unshare =
    process.getuid?.() === 0 ? ["unshare", "--net"] : ["unshare", "--user", "--map-root-user", "--net"];
  try {
    execFileSync(unshare[0]!, [...unshare.slice(1), "ip", "link", "set", "lo", "up"], { stdio: "pipe" });
  } catch (error) {
    console.error(
      `cannot create a network namespace (${(error as Error).message.split("\n")[0]}).\n` +
        "Run as root, enable unprivileged user namespaces, or pass --no-netns (the control plane then listens on\n" +
        "0.0.0.0 for the length of the run; the load still goes to 127.0.0.1 only).",
    );
    process.exit(2);
  }
  // Inside the namespace: loopback up, more ephemeral ports and a deeper accept queue (10,000 held
  // long-polls plus pooled connections), a higher open-file limit; each step optional but the first.
  const inner = [
    "ip link set lo up",
    "(sysctl -qw net.ipv4.ip_local_port_range='1024 65535' net.core.somaxconn=65535 2>/dev/null || true)",
    `{ ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }`,
    'exec "$@"',
  ].join(" && ");
  const child = Bun.spawn(
    [...unshare, "sh", "-c", inner, "sh", process.execPath, script, ...Bun.argv.slice(2)],
    {
      stdio: ["inherit", "inherit", "inherit"],
      env: { ...process.env, NOVACULA_BENCH_NETNS: "1" },
    },
  );
  process.on("SIGINT", () => child.kill("SIGINT"));
  process.exit(await child.exited);
}

/** Polls `check` every 50 ms until it returns a value other than null/false, or fails at the deadline. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(50);
  }
}
