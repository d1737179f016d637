// dropTomlTables: a named table and its sub-tables leave a TOML file by a line edit, every other byte stays
// (line endings, comments, number spellings), and nothing that only looks like a header (a line inside a
// multi-line string or array) is taken for one. Each result is also read back with a TOML parser: the edit
// must leave a valid document in which the table is gone.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { dropTomlTables } from "../../src/modes/agent/toml-drop-tables.ts";
import { REPO_ROOT } from "./helpers.ts";

const LOG = ["Node.LogConfig"];

/** Drops LOG, checks the exact result, and that it parses as TOML with no Node.LogConfig left. */
function dropped(text: string, expected: string): string {
  const result = dropTomlTables(text, LOG);
  expect(result).toBe(expected);
  const node = (parse(result) as { Node?: Record<string, unknown> }).Node;
  expect(node?.LogConfig).toBeUndefined();
  return result;
}

describe("dropTomlTables", () => {
  test("BSC's release layout: [Node.LogConfig], its last table, goes; the tables before it stay byte for byte", () => {
    const release = readFileSync(
      join(REPO_ROOT, "test/adapters/fixtures/bsc-geth-1.7.3-config.toml"),
      "utf8",
    );
    const header = release.indexOf("\n[Node.LogConfig]\n");
    expect(header).toBeGreaterThan(0);
    const result = dropped(release, release.slice(0, header + 1));
    const config = parse(result) as { Node: Record<string, unknown>; Eth: Record<string, unknown> };
    expect(config.Node.LogConfig).toBeUndefined();
    expect(Object.keys(config.Node)).toEqual(["IPCPath", "HTTPHost", "HTTPModules", "P2P", "HTTPTimeouts"]);
    expect(config.Eth.NetworkId).toBe(56);
  });

  test("a header written with blanks, quotes and a trailing comment is still that table", () => {
    const before = "[Node]\nHTTPPort = 8545\n\n";
    const after = "[Metrics]\nEnabled = true\n";
    for (const header of [
      "  [ Node . LogConfig ]  # where the log goes",
      '["Node".LogConfig]',
      "[Node.'LogConfig']\t",
      '[ "Node" . "Log\\u0043onfig" ]',
    ]) {
      dropped(`${before}${header}\nFilePath = "bsc.log"\nLevel = "info"\n\n${after}`, `${before}${after}`);
    }
  });

  test("the last table of a file without a final newline goes, and what precedes it keeps its last newline", () => {
    dropped('[Node]\nHTTPPort = 8545\n\n[Node.LogConfig]\nLevel = "info"', "[Node]\nHTTPPort = 8545\n\n");
  });

  test("sub-tables and arrays of tables under the name go; a sibling whose name merely starts the same stays", () => {
    const text = [
      "[Node]",
      "HTTPPort = 8545",
      "[Node.LogConfig]",
      'FilePath = "bsc.log"',
      "[Node.LogConfig.Rotate]",
      "Hours = 1",
      "[[Node.LogConfig.Sinks]]",
      'Kind = "file"',
      "# comments and blank lines up to the next header belong to the dropped table",
      "",
      "[Node.LogConfigExtra]",
      "Kept = 1",
      "[Node.P2P]",
      "MaxPeers = 50",
      "",
    ].join("\n");
    dropped(
      text,
      [
        "[Node]",
        "HTTPPort = 8545",
        "[Node.LogConfigExtra]",
        "Kept = 1",
        "[Node.P2P]",
        "MaxPeers = 50",
        "",
      ].join("\n"),
    );
  });

  test("a file without the table comes back unchanged, and a second pass changes nothing", () => {
    const text =
      "# tuned\n[Eth]\nTrieTimeout = 150_000_000_000 # ns\nRatio = 1.50\nHex = 0xDEAD\n[Node]\nX = 1\n";
    expect(dropTomlTables(text, LOG)).toBe(text);
    const release = readFileSync(
      join(REPO_ROOT, "test/adapters/fixtures/bsc-geth-1.7.3-config.toml"),
      "utf8",
    );
    const once = dropTomlTables(release, LOG);
    expect(dropTomlTables(once, LOG)).toBe(once);
  });

  test("CRLF files keep their CRLF line endings on every kept line", () => {
    const crlf = (lines: string[]) => lines.map((line) => `${line}\r\n`).join("");
    dropped(
      crlf([
        "[Node]",
        "X = 1",
        "",
        "[Node.LogConfig]  # file log",
        'Level = "info"',
        "",
        "[Metrics]",
        "Y = 2",
      ]),
      crlf(["[Node]", "X = 1", "", "[Metrics]", "Y = 2"]),
    );
  });

  test("lines inside multi-line strings and arrays are never taken for headers", () => {
    const kept = [
      "[Node]",
      "Banner = '''",
      "[Node.LogConfig]",
      "'''",
      'Motd = """',
      '[Metrics] \\"""',
      '"""',
      "",
    ].join("\n");
    const logTable = [
      "[Node.LogConfig]",
      "Levels = [",
      "  [1],",
      "  [2]",
      "]",
      'FilePath = "bsc.log"',
      "",
    ].join("\n");
    dropped(`${kept}${logTable}[Metrics]\nY = 2\n`, `${kept}[Metrics]\nY = 2\n`);
  });

  test("keys that land in the table from its parent or the root go with all their lines", () => {
    const text = [
      'Node.LogConfig.Level = "info"',
      "Title = 'kept'",
      "[Node]",
      'LogConfig.FilePath = "bsc.log"',
      "LogConfig.Sinks = [",
      '  "a",',
      '  "b",',
      "]",
      'LogConfig.TimeFormat = "01-02|15:04:05.000"',
      "HTTPPort = 8545",
      "",
    ].join("\n");
    dropped(text, ["Title = 'kept'", "[Node]", "HTTPPort = 8545", ""].join("\n"));
  });

  test("the table inside an ancestor's inline table is refused with the line, not left in", () => {
    expect(() =>
      dropTomlTables('[Eth]\nX = 1\nNode = { LogConfig = { Level = "info" } }\n', LOG),
    ).not.toThrow();
    expect(() => dropTomlTables('X = 1\nNode = { LogConfig = { Level = "info" } }\n', LOG)).toThrow(
      "line 2 defines Node as an inline table",
    );
  });

  test("a name that is not a dotted key of bare names is refused with an example", () => {
    expect(() => dropTomlTables("[Node]\n", ["Node.[LogConfig]"])).toThrow("(e.g. Node.LogConfig)");
    expect(() => dropTomlTables("[Node]\n", [""])).toThrow("is not a dotted TOML key");
  });
});
