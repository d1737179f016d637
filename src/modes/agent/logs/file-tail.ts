// Tailing a plain log file (the process supervisor's <unit>.log): the last N lines, then, when following,
// whatever is appended, looked at every POLL_MS (a file that does not exist yet is waited for; one that
// shrinks was truncated and is read again from its start). Lines are split on bytes, so a UTF-8 character cut
// by a read is never mangled. close() stops the timer and closes the file: nothing stays open.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { LogTail, RawLogLine } from "../../../executor/logs.ts";
import { MAX_LOG_LINE_CHARS } from "../../../protocol/logs.ts";

export const POLL_MS = 100;
const BLOCK_BYTES = 64 * 1024;
/** How far back from the end the last N lines are looked for. */
const MAX_TAIL_SCAN_BYTES = 16 * 1024 * 1024;
/** The most read per look: a burst is posted in pieces rather than read whole into memory. */
const MAX_READ_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

function tryOpen(path: string): number | null {
  try {
    return openSync(path, "r");
  } catch {
    return null;
  }
}

function read(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, got);
}

function text(bytes: Buffer): RawLogLine {
  return { text: bytes.toString("utf8") };
}

function splitLines(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
    parts.push(bytes.subarray(start, i));
    start = i + 1;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

/** The last `count` lines of the bytes before `end`. */
function lastLines(fd: number, end: number, count: number): Buffer[] {
  let start = end;
  let newlines = 0;
  const blocks: Buffer[] = [];
  while (start > 0 && newlines <= count && end - start < MAX_TAIL_SCAN_BYTES) {
    const from = Math.max(0, start - BLOCK_BYTES);
    const block = read(fd, from, start - from);
    for (const byte of block) if (byte === NEWLINE) newlines++;
    blocks.unshift(block);
    start = from;
  }
  const parts = splitLines(Buffer.concat(blocks));
  if (parts.at(-1)?.length === 0) parts.pop();
  // Read from the middle of the file: the first piece is the end of a line cut by the scan.
  if (start > 0) parts.shift();
  return parts.slice(-count);
}

export function tailFile(
  path: string,
  options: { tail: number; follow: boolean },
  onLines: (lines: RawLogLine[]) => void,
): LogTail {
  let fd = tryOpen(path);
  let offset = 0;
  /** Bytes after the last newline read so far (a line still being written). */
  let rest = Buffer.alloc(0);
  if (fd !== null) {
    const size = fstatSync(fd).size;
    const head = read(fd, Math.max(0, size - BLOCK_BYTES), Math.min(size, BLOCK_BYTES));
    // Up to the last newline: the line being written is read when it is complete.
    const complete = options.follow ? head.lastIndexOf(NEWLINE) + 1 : head.length;
    const end = size - head.length + complete;
    const lines = lastLines(fd, end, options.tail);
    if (lines.length > 0) onLines(lines.map(text));
    offset = end;
  }
  const endedNow = Promise.withResolvers<string>();
  let timer: ReturnType<typeof setInterval> | null = null;
  const look = () => {
    if (fd === null) {
      fd = tryOpen(path);
      if (fd === null) return;
      offset = 0;
    }
    const size = fstatSync(fd).size;
    if (size < offset) {
      offset = 0;
      rest = Buffer.alloc(0);
    }
    if (size === offset) return;
    const bytes = Buffer.concat([rest, read(fd, offset, Math.min(size - offset, MAX_READ_BYTES))]);
    offset = Math.min(size, offset + MAX_READ_BYTES);
    const parts = splitLines(bytes);
    rest = Buffer.from(parts.pop()!);
    const lines = parts.map(text);
    // A "line" without an end in sight is passed on in pieces rather than held without bound.
    if (rest.length > MAX_LOG_LINE_CHARS * 4) {
      lines.push(text(rest));
      rest = Buffer.alloc(0);
    }
    if (lines.length > 0) onLines(lines);
  };
  if (options.follow) timer = setInterval(look, POLL_MS);
  else endedNow.resolve("end of the log");
  let closed = false;
  return {
    ended: endedNow.promise,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
