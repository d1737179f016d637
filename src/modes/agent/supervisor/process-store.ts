// The process supervisor's on-disk state, one set of files per unit under its state directory:
//   <unit>.json     the installed definition (with its hash)
//   <unit>.state    the runtime record: wanted state, pid + start time (pid reuse safe), restarts, last exit
//   <unit>.log      the process's stdout and stderr (appended; a file, not a pipe, so the child outlives us)
// Writes are atomic (temp file + rename): an agent killed mid-write leaves the old record or the new one.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../../lib/atomic-write.ts";
import type { ProcessDefinition } from "./types.ts";

export interface RuntimeRecord {
  wanted: "active" | "inactive";
  pid: number;
  pidStartTicks: number;
  startedAtMs: number;
  /** The definition the process was started with: an install alone does not change a running process. */
  runningHash?: string;
  restarts: number;
  exitStatus?: number;
  /** Set when the start limit was hit or the policy forbids a restart after a failure. */
  failed?: boolean;
  /** Recent start times, for the start limit. */
  starts: number[];
}

const UNIT_NAME = /^[A-Za-z0-9][A-Za-z0-9@._-]{0,200}$/;
const OUTPUT_TAIL_BYTES = 2048;

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

export class ProcessStateStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  checkName(unitName: string): void {
    if (!UNIT_NAME.test(unitName)) throw new Error(`invalid unit name: ${JSON.stringify(unitName)}`);
  }

  path(unitName: string, ext: "json" | "state" | "log"): string {
    this.checkName(unitName);
    return join(this.dir, `${unitName}.${ext}`);
  }

  /** Units with an installed definition, sorted. */
  unitNames(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
  }

  /** Units with a runtime record (possibly running), for adoption at start-up. */
  recordedUnits(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".state"))
      .map((f) => f.slice(0, -".state".length));
  }

  readDefinition(unitName: string): ProcessDefinition | null {
    return readJson<ProcessDefinition>(this.path(unitName, "json"));
  }

  writeDefinition(definition: ProcessDefinition): void {
    this.writeAtomic(this.path(definition.unitName, "json"), `${JSON.stringify(definition, null, 2)}\n`);
  }

  readRecord(unitName: string): RuntimeRecord | null {
    return readJson<RuntimeRecord>(this.path(unitName, "state"));
  }

  writeRecord(unitName: string, record: RuntimeRecord): void {
    if (!existsSync(this.path(unitName, "json"))) return; // removed meanwhile
    this.writeAtomic(this.path(unitName, "state"), JSON.stringify(record));
  }

  removeAll(unitName: string): void {
    for (const ext of ["json", "state", "log"] as const) rmSync(this.path(unitName, ext), { force: true });
  }

  openLog(unitName: string): number {
    return openSync(this.path(unitName, "log"), "a", 0o600);
  }

  appendLog(unitName: string, line: string): void {
    writeFileSync(this.path(unitName, "log"), `${line}\n`, { flag: "a", mode: 0o600 });
  }

  /** The last few lines the process wrote, or null. */
  tailOutput(unitName: string): string | null {
    const path = this.path(unitName, "log");
    try {
      const size = statSync(path).size;
      if (size === 0) return null;
      const length = Math.min(size, OUTPUT_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      const fd = openSync(path, "r");
      try {
        readSync(fd, buffer, 0, length, size - length);
      } finally {
        closeSync(fd);
      }
      const lines = buffer
        .toString("utf8")
        .split("\n")
        .filter((l) => l.trim() !== "");
      return lines.slice(-5).join("\n") || null;
    } catch {
      return null;
    }
  }

  private writeAtomic(path: string, text: string): void {
    writeFileAtomicSync(path, text, { mode: 0o600 });
  }
}
