// The agent's working-set trimmer: which mappings it may drop (only clean, read-only mappings of the
// executable) and, in a real process, that trimming lowers the executable's resident pages while the
// process goes on running code from them.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "../src/lib/eventually.ts";
import type { Logger } from "../src/lib/log.ts";
import { droppableMappings, startWorkingSetTrimmer } from "../src/lib/working-set.ts";

const EXE = "/opt/novacula/novacula";
const SMAPS = `\
00400000-00500000 r--p 00000000 08:01 1234       ${EXE}
Rss:                 512 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
Swap:                  0 kB
00500000-00900000 r-xp 00100000 08:01 1234       ${EXE}
Rss:                2048 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
Swap:                  0 kB
00900000-00a00000 r--p 00500000 08:01 1234       ${EXE}
Rss:                 256 kB
Private_Dirty:        64 kB
Anonymous:            64 kB
Swap:                  0 kB
00a00000-00a10000 r--p 00600000 08:01 1234       ${EXE}
Rss:                  64 kB
Private_Dirty:        64 kB
Anonymous:             0 kB
Swap:                  0 kB
00a10000-00b00000 rw-p 00610000 08:01 1234       ${EXE}
Rss:                 128 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
Swap:                  0 kB
7f0000000000-7f0000100000 r-xp 00000000 08:01 99         /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 400 kB
Private_Dirty:         0 kB
Anonymous:             0 kB
Swap:                  0 kB
7f0000200000-7f0000300000 rw-p 00000000 00:00 0
Rss:                 100 kB
Private_Dirty:       100 kB
Anonymous:           100 kB
Swap:                  0 kB
`;

describe("working-set trimmer", () => {
  test("only read-only mappings of the executable without copied pages are droppable", () => {
    expect(droppableMappings(SMAPS, EXE)).toEqual([
      { start: 0x400000n, end: 0x500000n },
      { start: 0x500000n, end: 0x900000n },
      // Dirty in the page cache (a binary just installed), but not copied: still the file's bytes.
      { start: 0xa00000n, end: 0xa10000n },
    ]);
    expect(droppableMappings(SMAPS, "/somewhere/else")).toEqual([]);
  });

  test.skipIf(process.platform !== "linux")(
    "a real process keeps running after its executable's clean pages are dropped",
    async () => {
      // A child Bun process touches much of its runtime, trims, then runs more code (JSON, crypto,
      // regexps, a subprocess) and reports the executable's resident KiB before and after the trim.
      const script = `
        import { readFileSync, realpathSync } from "node:fs";
        import { startWorkingSetTrimmer } from ${JSON.stringify(join(import.meta.dir, "../src/lib/working-set.ts"))};
        const exe = realpathSync("/proc/self/exe");
        const exeRss = () => {
          let kib = 0, ours = false;
          for (const line of readFileSync("/proc/self/smaps", "utf8").split("\\n")) {
            const header = /^[0-9a-f]+-[0-9a-f]+ \\S{4} \\S+ \\S+ \\d+\\s*(.*)$/.exec(line);
            if (header) { ours = header[1] === exe; continue; }
            const rss = /^Rss:\\s+(\\d+) kB/.exec(line);
            if (ours && rss) kib += Number(rss[1]);
          }
          return kib;
        };
        await fetch("data:text/plain,warm").then((r) => r.text());
        new Bun.CryptoHasher("sha256").update("x".repeat(1e5)).digest("hex");
        const trimmer = startWorkingSetTrimmer({ debug() {}, info() {}, warn() {}, error() {}, child() { return this; } }, { quietMs: 3_600_000, checkEveryMs: 3_600_000, creepKib: 2048 });
        const before = exeRss();
        const advised = trimmer.trim();
        const after = exeRss();
        // The dropped mappings are marked for random access ("rr" in smaps' VmFlags): no readahead refills
        // the emptied page cache around the pages the process faults back.
        let randomRead = true, code = false;
        for (const line of readFileSync("/proc/self/smaps", "utf8").split("\\n")) {
          const header = /^[0-9a-f]+-[0-9a-f]+ (\\S{4}) \\S+ \\S+ \\d+\\s*(.*)$/.exec(line);
          if (header) { code = header[1] === "r-xp" && header[2] === exe; continue; }
          if (code && line.startsWith("VmFlags:") && !line.split(" ").includes("rr")) randomRead = false;
        }
        const still = JSON.parse(JSON.stringify({ ok: /a+b/.test("aaab") }));
        const child = Bun.spawnSync(["true"]);
        trimmer.stop();
        console.log(JSON.stringify({ before, after, advised, randomRead, still, childExit: child.exitCode }));
      `;
      const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      expect(err).toBe("");
      expect(code).toBe(0);
      const result = JSON.parse(out.trim());
      expect(result.still).toEqual({ ok: true });
      expect(result.childExit).toBe(0);
      expect(result.advised).toBeGreaterThan(1 << 20);
      expect(result.randomRead).toBe(true);
      // The runtime's pages the process was not using any more are no longer resident.
      expect(result.after).toBeLessThan(result.before / 2);
    },
    30_000,
  );

  test.skipIf(process.platform !== "linux")(
    "the trim waits until the agent has been quiet for the whole quiet period after its last work",
    async () => {
      const trimmedAt: number[] = [];
      const record = (msg: string) => {
        if (msg.startsWith("working set trimmed")) trimmedAt.push(performance.now());
      };
      const log = {
        debug: record,
        info: record,
        warn() {},
        error() {},
        child: () => log,
      } as unknown as Logger;
      const quietMs = 300;
      const trimmer = startWorkingSetTrimmer(log, { quietMs, checkEveryMs: 3_600_000, creepKib: 2048 })!;
      try {
        let lastWork = 0;
        for (let i = 0; i < 4; i++) {
          trimmer.noteWork();
          lastWork = performance.now();
          await Bun.sleep(quietMs / 3);
        }
        await eventually(() => trimmedAt.length > 0, { timeoutMs: 10_000, message: "the trim after quiet" });
        // Timers fire late under load, never early: the trim came a full quiet period after the last work.
        expect(trimmedAt[0]! - lastWork).toBeGreaterThanOrEqual(quietMs - 1);
        expect(trimmedAt).toHaveLength(1);
        // New work re-arms it once more.
        trimmer.noteWork();
        await eventually(() => trimmedAt.length === 2, { timeoutMs: 10_000, message: "the second trim" });
      } finally {
        trimmer.stop();
      }
    },
  );

  test.skipIf(process.platform !== "linux")(
    "between bursts of work, the first check only settles the level and a later check past it trims",
    async () => {
      const trims: { atMs: number; reason: unknown }[] = [];
      const record = (msg: string, fields?: Record<string, unknown>) => {
        if (msg.startsWith("working set trimmed"))
          trims.push({ atMs: performance.now(), reason: fields?.reason });
      };
      const log = {
        debug: record,
        info: record,
        warn() {},
        error() {},
        child: () => log,
      } as unknown as Logger;
      // creepKib -1: any level counts as creep, so what is under test is the settle-then-compare order.
      const checkEveryMs = 100;
      const startedAt = performance.now();
      const trimmer = startWorkingSetTrimmer(log, { quietMs: 3_600_000, checkEveryMs, creepKib: -1 })!;
      try {
        await eventually(() => trims.length > 0, { timeoutMs: 10_000, message: "a trim on creep" });
        expect(trims[0]!.reason).toBe("resident code crept up");
        // Not at the first check, which only records where RSS settled: timers fire late, never early.
        expect(trims[0]!.atMs - startedAt).toBeGreaterThanOrEqual(2 * checkEveryMs - 1);
      } finally {
        trimmer.stop();
      }
    },
  );
});
