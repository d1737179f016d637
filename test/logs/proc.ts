// Test support: what a process holds, read from /proc (the end state "no reader left behind" is about).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function pids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Processes whose command line contains `fragment`. */
export function pidsWithArg(fragment: string): number[] {
  return pids().filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes(fragment);
    } catch {
      return false;
    }
  });
}

/** The paths of the files a process has open. */
export function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}
