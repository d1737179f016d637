// The init steps that touch more than one file: copy-artifact (an installed artifact, such as a genesis
// file, copied into the node directory, optionally without some TOML tables) and run (a program run once
// before the node's processes start, such as `geth init`). Both act as the node user when there is one
// (systemd hosts), else as the agent's own user (the process supervisor's demo); materialize.ts decides when
// a step runs and writes its marker.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import type { InitStep } from "../../adapters/types.ts";
import type { NodePaths } from "./layout.ts";
import { handOverDir, type NodeOwner } from "./node-user.ts";
import { dropTomlTables } from "./toml-drop-tables.ts";

/**
 * Copy an installed artifact (a file, or an unpacked directory) to `target`, replacing it atomically. With
 * `droppedTables` (the step's dropTomlTables) the artifact must be a TOML file, copied without those tables;
 * the installed artifact itself stays as delivered (its checksum, and other nodes that copy it).
 */
export function copyArtifact(
  source: string,
  target: string,
  owner: NodeOwner | null,
  droppedTables: readonly string[] = [],
): void {
  const info = statSync(source, { throwIfNoEntry: false });
  if (!info) throw new Error(`the artifact ${source} is not installed`);
  if (droppedTables.length > 0 && info.isDirectory()) {
    throw new Error(`the artifact ${source} is a directory: dropTomlTables applies to a TOML file`);
  }
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    if (info.isDirectory()) {
      cpSync(source, temp, { recursive: true, verbatimSymlinks: true });
      if (owner) handOverDir(temp, owner);
    } else {
      if (droppedTables.length > 0) {
        writeFileSync(temp, dropTomlTables(readTomlText(source), droppedTables), { mode: info.mode & 0o777 });
      } else copyFileSync(source, temp);
      if (owner) chownSync(temp, owner.uid, owner.gid);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A TOML file's text: TOML is UTF-8, and a lenient decode would change the bytes the edit must keep. */
function readTomlText(path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new Error(`the artifact ${path} is not UTF-8 text, so not a TOML file dropTomlTables can edit`);
  }
}

/** The last lines of a step's output: enough to say what went wrong, short enough for a node's message. */
const TAIL_CHARS = 1200;

type RunStep = Extract<InitStep, { kind: "run" }>;

/** Run a step's program once; resolves on exit 0, throws with the output's tail otherwise. */
export function runStep(paths: NodePaths, step: RunStep, owner: NodeOwner | null): Promise<void> {
  if (!isAbsolute(step.executable)) {
    return Promise.reject(
      new Error(`init step ${step.id}: the executable ${step.executable} is not an absolute path`),
    );
  }
  return new Promise((resolve, reject) => {
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-TAIL_CHARS * 2);
    };
    const child = spawn(step.executable, step.args, {
      cwd: paths.nodeDir,
      // HOME in data/, as for the node's processes: the only place the node user can write.
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", HOME: paths.dataDir, ...step.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, step.timeoutSecs * 1000);
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const fail = (why: string) => {
      const output = tail.trim().slice(-TAIL_CHARS);
      reject(
        new Error(
          `init step ${step.id} (${step.description}) ${why}; it runs again on the next reconcile${output ? `. Output: ${output}` : ""}`,
        ),
      );
    };
    child.on("error", (error) => {
      clearTimeout(timer);
      fail(`could not start ${step.executable}: ${error.message}`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) fail(`did not finish within ${step.timeoutSecs} s and was killed`);
      else if (code === 0) resolve();
      else fail(code !== null ? `exited with status ${code}` : `was killed by ${signal}`);
    });
  });
}
