// The unprivileged system user every node process runs as (User= in its unit), and everything about it:
// creating it (`novacula agent install`, idempotent), finding its uid/gid (the reconciler, which gives it the
// files a node reads and the data/ directory it writes) and handing a directory tree over to it.
//
// One shared user for all nodes, not one per node: node directories are already separated by
// ReadWritePaths= (a process can write only its own node directory) and a per-node user would need
// useradd/userdel on every deploy and delete. What the dedicated user buys is that a node process is not root:
// it cannot write /etc, other users' files, the agent's config or binaries, or anything outside its node
// directory that the unit's sandbox would otherwise be the only barrier for.
import { lchownSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const NODE_USER = "novacula-node";

export interface NodeOwner {
  uid: number;
  gid: number;
}

/** uid and gid of NODE_USER from a passwd(5) file, or null when the user does not exist. */
export function lookupNodeUser(passwdFile = "/etc/passwd"): NodeOwner | null {
  let text: string;
  try {
    text = readFileSync(passwdFile, "utf8");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields[0] !== NODE_USER || fields.length < 7) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  }
  return null;
}

export interface EnsureNodeUserOptions {
  /** argv before the commands (tests: nsenter into a namespace). */
  commandPrefix?: readonly string[];
}

async function run(argv: string[], commandPrefix: readonly string[]) {
  const child = Bun.spawn([...commandPrefix, ...argv], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

/**
 * Create NODE_USER as a system user with its own group, no home directory and no login shell, unless it
 * exists already. Returns true when it was created.
 */
export async function ensureNodeUser(options: EnsureNodeUserOptions = {}): Promise<boolean> {
  const prefix = options.commandPrefix ?? [];
  // getent, not /etc/passwd: the user may come from NSS (LDAP, systemd-userdb) on a managed host.
  if ((await run(["getent", "passwd", NODE_USER], prefix)).code === 0) return false;
  const created = await run(
    [
      "useradd",
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      "--comment",
      "Novacula node processes",
      NODE_USER,
    ],
    prefix,
  );
  // 9: "username already in use", a concurrent install won the race; the user exists, which is the goal.
  if (created.code !== 0 && created.code !== 9) {
    throw new Error(`useradd ${NODE_USER} failed (exit ${created.code}): ${created.stderr.trim()}`);
  }
  return created.code === 0;
}

/**
 * Give a directory (a node's data/) and everything in it to `owner` (symlinks themselves, never their
 * targets). The directory's own owner is the marker, set last: a directory already owned by the user is left
 * alone, so this costs one lstat on every pass and walks the tree only once (the first deploy, or an upgrade
 * from root-run nodes), and an interrupted walk is finished on the next pass.
 */
export function handOverDir(dir: string, owner: NodeOwner): boolean {
  const info = lstatSync(dir, { throwIfNoEntry: false });
  if (!info || (info.uid === owner.uid && info.gid === owner.gid)) return false;
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
    // lchown: a symlink planted in a node directory must not give its target away.
    if (stat.uid !== owner.uid || stat.gid !== owner.gid) lchownSync(path, owner.uid, owner.gid);
  };
  walk(dir);
  return true;
}
