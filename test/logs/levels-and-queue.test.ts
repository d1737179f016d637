// The parts of live logs that hold without a network: one level scale for every client's spelling, and a
// slow reader's bounded queue (the real SseLogStream and its ReadableStream, read by a real reader).
import { describe, expect, test } from "bun:test";
import { atLeast, toLogLine } from "../../src/executor/logs.ts";
import { lineLevel } from "../../src/executor/logs-levels.ts";
import { journalEntry } from "../../src/modes/agent/logs/journald.ts";
import { MAX_QUEUED_LINES, SseLogStream } from "../../src/modes/control-plane/logs/sse.ts";
import { LOG_LEVELS, type LogLevel } from "../../src/protocol/logs.ts";

describe("log levels are normalized across clients", () => {
  const cases: [client: string, line: string, level: LogLevel][] = [
    ["geth", "WARN [12-06|07:00:01.000] Served eth_call", "warn"],
    ["geth", "ERROR[12-06|07:00:01.000] Snapshot extension registration failed", "error"],
    ["geth", "DEBUG[12-06|07:00:01.000] Trie cache stats", "debug"],
    ["geth logfmt", 't=2026-12-06T07:00:00+0000 lvl=warn msg="Served eth_call"', "warn"],
    ["bitcoind", "2026-12-06T07:00:02Z [net:warning] socket send error", "warn"],
    ["bitcoind", "2026-12-06T07:00:02Z [warning] Flushing large (1 GiB) UTXO set", "warn"],
    ["bitcoind", "2026-12-06T07:00:03Z [validation:error] ConnectBlock failed", "error"],
    ["reth", "2026-12-06T07:00:00.000Z  WARN reth::cli: low disk space", "warn"],
    ["lighthouse", "Dec 06 07:00:00.000 CRIT Beacon node is not synced", "error"],
    ["json", '{"level":"warning","msg":"peer dropped"}', "warn"],
    ["anvil", "eth_blockNumber", "info"],
    ["anvil", "    Block Number: 12", "info"],
  ];
  for (const [client, line, level] of cases) {
    test(`${client}: ${line.slice(0, 40)} → ${level}`, () => {
      expect(lineLevel(line)).toBe(level);
    });
  }

  test("a line with no level takes journald's priority, and colours do not hide a level", () => {
    expect(lineLevel("plain text", 3)).toBe("error");
    expect(lineLevel("plain text", 4)).toBe("warn");
    expect(lineLevel("plain text", 7)).toBe("debug");
    expect(toLogLine({ text: "\u001b[33mWARN\u001b[0m [12-06|07:00:01.000] colourful" })).toEqual({
      level: "warn",
      text: "WARN [12-06|07:00:01.000] colourful",
    });
  });

  test("the minimum level keeps that level and the ones above it", () => {
    const lines = LOG_LEVELS.map((level) => ({ level, text: level }));
    expect(atLeast([...lines], "warn").map((l) => l.level)).toEqual(["warn", "error"]);
    expect(atLeast([...lines], "debug")).toHaveLength(4);
  });

  test("journald entries: text, bytes that are not UTF-8, time and priority", () => {
    expect(
      journalEntry(
        JSON.stringify({ MESSAGE: "hello", PRIORITY: "4", __REALTIME_TIMESTAMP: "1796540400000000" }),
      ),
    ).toEqual({ text: "hello", ts: "2026-12-06T07:00:00.000Z", priority: 4 });
    expect(journalEntry(JSON.stringify({ MESSAGE: [104, 105] }))?.text).toBe("hi");
    expect(journalEntry("not json")).toBeNull();
  });

  test("an overlong line is cut to the protocol's length", () => {
    expect(toLogLine({ text: "x".repeat(20_000) }).text.length).toBe(8 * 1024);
  });
});

describe("a slow reader's queue is bounded", () => {
  test("past the bound the oldest lines go, and the reader is told how many with a marker line", async () => {
    let gone = 0;
    const stream = new SseLogStream(() => gone++);
    const total = MAX_QUEUED_LINES + 1200;
    // Nobody reads while the log runs ahead.
    for (let i = 0; i < total; i += 100) {
      stream.lines(
        Array.from({ length: 100 }, (_, j) => ({ level: "info" as const, text: `line ${i + j}` })),
        0,
      );
    }
    expect(stream.pending).toBe(MAX_QUEUED_LINES);
    const reader = stream.body.getReader();
    const { value } = await reader.read();
    const frame = new TextDecoder().decode(value);
    const data = JSON.parse(frame.slice(frame.indexOf("data: ") + 6).split("\n")[0]!) as {
      level: string;
      text: string;
      marker?: boolean;
    }[];
    expect(data[0]).toEqual({
      level: "warn",
      text: "[novacula] 1200 lines dropped: this reader was slower than the log",
      marker: true,
    });
    expect(data[1]!.text).toBe("line 1200");
    expect(data.at(-1)!.text).toBe(`line ${total - 1}`);
    await reader.cancel();
    expect(gone).toBe(1);
  });

  test("an ended session sends its last lines, then the end, then closes the stream", async () => {
    const stream = new SseLogStream(() => {});
    stream.lines([{ level: "error", text: "last words" }], 0);
    stream.end("node gone");
    const text = await new Response(stream.body).text();
    expect(text.indexOf("last words")).toBeLessThan(text.indexOf("event: end"));
    expect(text).toContain('data: {"message":"node gone"}');
  });
});
