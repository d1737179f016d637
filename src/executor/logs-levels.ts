// One level scale for every client's log lines (debug < info < warn < error), read from the line itself.
// Clients spell levels their own way: geth `WARN [12-06|07:00:00.000] …` (and `lvl=warn` in logfmt),
// bitcoind `[net:warning]` / `[warning]`, Rust clients (reth, lighthouse, sui) `  WARN target: …`, JSON
// loggers `"level":"warning"`. A line that names no level takes the journald priority when the source has
// one, and is `info` otherwise: anvil's lines (`eth_blockNumber`, `Block Number: 12`) carry no level at all.
import type { LogLevel } from "../protocol/logs.ts";

const WORDS: Record<string, LogLevel> = {
  trace: "debug",
  trce: "debug",
  debug: "debug",
  dbug: "debug",
  dbg: "debug",
  info: "info",
  inf: "info",
  information: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  wrn: "warn",
  error: "error",
  err: "error",
  eror: "error",
  crit: "error",
  critical: "error",
  fatal: "error",
  panic: "error",
  alert: "error",
  emerg: "error",
};

/** A level word in any client's spelling, or null when it is none. */
export function normalizeLevel(word: string): LogLevel | null {
  return WORDS[word.toLowerCase()] ?? null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences start with ESC.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** logfmt and key=value loggers (geth's --log.format=logfmt, lighthouse's json-less output). */
const KEY_VALUE = /(?:^|\s)(?:lvl|level|severity)=("?)([A-Za-z]+)\1(?:\s|$)/i;
/** bitcoind: `[warning]`, `[net:warning]`, `[validation:error]`. */
const BRACKETED = /\[(?:[\w.-]+:)?(trace|debug|info|warning|error)\]/i;
/** An upper-case level word near the start (geth, Rust tracing, lighthouse, prysm's `level=`-less text). */
const LEADING_WORD =
  /\b(TRACE|TRCE|DEBUG|DBUG|INFO|NOTICE|WARN|WARNING|WRN|ERROR|ERR|EROR|CRIT|FATAL|PANIC)\b/;
const LEADING_CHARS = 64;

/** journald's syslog priority (0 emerg … 7 debug) on our scale. */
export function priorityLevel(priority: number): LogLevel {
  if (priority <= 3) return "error";
  if (priority === 4) return "warn";
  if (priority <= 6) return "info";
  return "debug";
}

export function stripAnsi(text: string): string {
  return text.includes("\u001b") ? text.replace(ANSI, "") : text;
}

function jsonLevel(text: string): LogLevel | null {
  try {
    const record = JSON.parse(text) as Record<string, unknown>;
    for (const key of ["level", "lvl", "severity", "levelname"]) {
      const value = record[key];
      if (typeof value === "string") return normalizeLevel(value);
    }
  } catch {
    // Not JSON after all.
  }
  return null;
}

function matched(pattern: RegExp, text: string, group: number): LogLevel | null {
  const match = pattern.exec(text);
  return match ? normalizeLevel(match[group]!) : null;
}

/** The level of one line (ANSI colours already stripped). */
export function lineLevel(text: string, priority?: number): LogLevel {
  const fromText =
    (text.startsWith("{") ? jsonLevel(text) : null) ??
    matched(KEY_VALUE, text, 2) ??
    matched(BRACKETED, text, 1) ??
    matched(LEADING_WORD, text.slice(0, LEADING_CHARS), 1);
  if (fromText) return fromText;
  return priority === undefined ? "info" : priorityLevel(priority);
}
