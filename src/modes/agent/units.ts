// Unit-file rendering: turns a ProcessDefinition into the exact bytes of its systemd unit, and renders the
// agent's own two units (novacula-agent.service and its OnFailure= rollback one-shot). Pure: no I/O.
//
// Why byte-for-byte determinism matters: the supervisor compares rendered bytes with what is on disk, and a
// changed byte means "restart this blockchain node". So keys are written in one fixed order, environment
// variables are sorted, args keep the order the adapter gave, and golden files (test/golden/units/) pin it.
//
// Escaping follows systemd.syntax(7) "Quoting" and systemd.service(5) "Command lines" (systemd 252):
// - an item wrapped in double quotes is one word; inside it C escapes (\\ \" \n \xHH ...) are decoded;
// - "%" starts a specifier in every setting that expands them (ExecStart, Environment, paths,
//   Description), so a literal "%" is written "%%";
// - in Exec* lines "$FOO"/"${FOO}" are expanded even inside quotes, so a literal "$" is written "$$";
//   Environment= does not expand "$", so there it stays as is;
// - Environment= values may not contain non-printable characters (systemd rejects them), so we refuse
//   them here with a clear error instead of writing a unit systemd will half-ignore.
import { NODE_USER } from "./node-user.ts";
import type { ProcessDefinition } from "./supervisor/types.ts";

/** The [Unit] key that marks a unit as Novacula-owned and records the definition it was rendered from. */
export const DEFINITION_HASH_KEY = "X-Novacula-Definition-Hash";
export const AGENT_UNIT = "novacula-agent.service";
export const ROLLBACK_UNIT = "novacula-agent-rollback.service";
/** Armed before a self-upgrade's swap; fires the rollback unit unless the new version confirmed in time. */
export const UPGRADE_GUARD_TIMER = "novacula-agent-upgrade-guard.timer";
/** Seconds a new agent version has to sync with the control plane before the guard rolls it back. */
export const DEFAULT_UPGRADE_CONFIRM_SECS = 120;

/** Seconds between an exit and the automatic restart of a node process. */
export const NODE_RESTART_SEC = 5;

export class UnitRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnitRenderError";
  }
}

// Characters that never need quoting in a systemd word; everything else goes through quoteWord().
const BARE_WORD = /^[A-Za-z0-9_@+=:,./-]+$/;
// systemd unit names: [A-Za-z0-9:_.\\-] plus one "@" for instances; 256 bytes with the suffix.
const UNIT_NAME = /^[A-Za-z0-9:_.-]+(@[A-Za-z0-9:_.-]*)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HASH = /^[A-Za-z0-9:_+/=.-]{1,128}$/;

/**
 * One word for a systemd setting that unquotes items: bare when it only has safe characters, otherwise
 * double-quoted with C escapes. `%` is always doubled; `$` only where the setting expands variables.
 */
export function quoteWord(value: string, options: { expandsDollar: boolean }): string {
  if (value.includes("\0")) throw new UnitRenderError(`a NUL byte cannot be passed to a process: ${value}`);
  if (BARE_WORD.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "%") out += "%%";
    else if (ch === "$" && options.expandsDollar) out += "$$";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The ExecStart= value: executable then args, each one word, order preserved. */
export function renderExecStart(executable: string, args: readonly string[]): string {
  assertAbsolute("executable", executable);
  return [executable, ...args].map((word) => quoteWord(word, { expandsDollar: true })).join(" ");
}

const hasControlCharacter = (value: string) =>
  [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);

function assertAbsolute(what: string, path: string): void {
  if (!path.startsWith("/")) throw new UnitRenderError(`${what} must be an absolute path: ${path}`);
  if (hasControlCharacter(path)) throw new UnitRenderError(`${what} contains a control character: ${path}`);
}

function assertPrintable(what: string, value: string): void {
  if (hasControlCharacter(value)) {
    throw new UnitRenderError(`${what} contains a non-printable character, which systemd rejects`);
  }
}

export function assertUnitName(unitName: string): void {
  if (!UNIT_NAME.test(unitName) || `${unitName}.service`.length > 255) {
    throw new UnitRenderError(
      `invalid systemd unit name "${unitName}": use letters, digits, ":_.-" and at most one "@"`,
    );
  }
}

/** Settings that expand specifiers but not `$`: WorkingDirectory= takes the path literally (no unquoting). */
const specifierSafe = (value: string) => value.replaceAll("%", "%%");

type Line = readonly [key: string, value: string] | string;

/** Join sections in the order given; a string entry is a comment line. Always ends with one newline. */
function renderSections(header: string[], sections: [name: string, lines: Line[]][]): string {
  const parts = header.map((line) => `# ${line}`);
  for (const [name, lines] of sections) {
    if (parts.length > 0) parts.push("");
    parts.push(`[${name}]`);
    for (const line of lines) parts.push(typeof line === "string" ? `# ${line}` : `${line[0]}=${line[1]}`);
  }
  return `${parts.join("\n")}\n`;
}

const RESTART: Record<ProcessDefinition["restartPolicy"], string> = {
  always: "always",
  "on-failure": "on-failure",
  no: "no",
};

/**
 * The sandbox of a node process (docs/node-unit-confinement.md has the exposure score it earns and the test
 * that keeps it). Each setting is one a real chain client runs with: anvil and geth today, JVM clients such as
 * java-tron later. Left out on purpose:
 * - MemoryDenyWriteExecute: it forbids writable+executable memory, which every JIT needs (the JVM's, and
 *   runtimes embedded in clients); java-tron would not start.
 * - PrivateNetwork, IPAddressDeny: a node's job is talking to its peers.
 * - PrivateUsers: it maps file owners other than root and the node user to nobody, which confuses clients
 *   that check the ownership of their data directory.
 * - ProcSubset=pid: JVMs and Go read /proc/meminfo, /proc/cpuinfo and /proc/sys to size heaps and threads.
 * - RemoveIPC: all nodes share the node user, so one unit's stop would remove another's IPC objects.
 * - AF_NETLINK: Go's and Java's interface listings use it only for optional NAT discovery, which fails
 *   gracefully; so only IPv4, IPv6 and Unix sockets are allowed.
 */
function sandbox(readWritePaths: readonly string[]): Line[] {
  const lines: Line[] = [
    // Files the node creates (data, keys, logs) are readable by the node user (and root) only.
    ["UMask", "0077"],
    ["NoNewPrivileges", "yes"],
    // Empty: no capability at all, not even in the bounding set (a setuid binary could not regain one).
    ["CapabilityBoundingSet", ""],
    ["AmbientCapabilities", ""],
    // The whole file system read-only, home directories (/home, /root, /run/user) invisible, /tmp private.
    ["ProtectSystem", "strict"],
    ["ProtectHome", "yes"],
  ];
  if (readWritePaths.length > 0) {
    const paths = readWritePaths.map((p) => quoteWord(p, { expandsDollar: false }));
    lines.push(["ReadWritePaths", paths.join(" ")]);
  }
  lines.push(
    ["PrivateTmp", "yes"],
    ["PrivateDevices", "yes"],
    ["ProtectKernelTunables", "yes"],
    ["ProtectKernelModules", "yes"],
    ["ProtectKernelLogs", "yes"],
    ["ProtectControlGroups", "yes"],
    ["ProtectClock", "yes"],
    ["ProtectHostname", "yes"],
    // Other users' processes (the agent's, other services') are invisible in /proc.
    ["ProtectProc", "invisible"],
    ["RestrictSUIDSGID", "yes"],
    ["RestrictNamespaces", "yes"],
    ["RestrictRealtime", "yes"],
    ["LockPersonality", "yes"],
    ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
    ["SystemCallArchitectures", "native"],
    // The system calls of an ordinary service; anything else fails with EPERM instead of killing the client
    // mid-write (a client probing an optional call, e.g. for io_uring, then falls back).
    ["SystemCallFilter", "@system-service"],
    ["SystemCallErrorNumber", "EPERM"],
  );
  return lines;
}

/** The unit file of one node process, `<unitName>.service`. */
export function renderProcessUnit(def: ProcessDefinition): string {
  assertUnitName(def.unitName);
  if (!HASH.test(def.definitionHash))
    throw new UnitRenderError(`invalid definition hash: ${def.definitionHash}`);
  assertAbsolute("workingDirectory", def.workingDirectory);
  for (const path of def.readWritePaths) assertAbsolute("readWritePaths entry", path);
  if (!Number.isInteger(def.stopTimeoutSecs) || def.stopTimeoutSecs < 1) {
    throw new UnitRenderError(`stopTimeoutSecs must be a positive integer: ${def.stopTimeoutSecs}`);
  }
  const label = `${def.nodeName} ${def.role}`;
  assertPrintable("node name and role", label);

  const unit: Line[] = [
    ["Description", specifierSafe(`Novacula node ${label}`)],
    // Ordering only: chain clients retry their peers, so we do not pull network-online.target in.
    ["After", "network.target"],
    // Never give up restarting a node: the reporter surfaces the restart count, the user decides.
    ["StartLimitIntervalSec", "0"],
    [DEFINITION_HASH_KEY, def.definitionHash],
  ];

  const service: Line[] = [
    // exec, not simple: `systemctl start` then fails when the binary or its sandbox cannot be set up.
    ["Type", "exec"],
    // Never root: a dedicated system user that `novacula agent install` creates (node-user.ts).
    ["User", NODE_USER],
    ["Group", NODE_USER],
    ["ExecStart", renderExecStart(def.executable, def.args)],
    ["WorkingDirectory", specifierSafe(def.workingDirectory)],
  ];
  for (const name of Object.keys(def.env).sort()) {
    if (!ENV_NAME.test(name)) throw new UnitRenderError(`invalid environment variable name: ${name}`);
    const value = def.env[name]!;
    assertPrintable(`environment variable ${name}`, value);
    service.push(["Environment", quoteWord(`${name}=${value}`, { expandsDollar: false })]);
  }
  service.push(
    ["Restart", RESTART[def.restartPolicy]],
    ["RestartSec", String(NODE_RESTART_SEC)],
    // A chain database needs time to flush and close; systemd sends SIGKILL only after this.
    ["TimeoutStopSec", String(def.stopTimeoutSecs)],
  );
  // Best-effort limits: systemd ignores what the host's cgroup setup cannot enforce (MemoryHigh on v1).
  if (def.cpuQuotaPercent !== undefined) {
    service.push(["CPUQuota", `${Math.max(1, Math.round(def.cpuQuotaPercent))}%`]);
  }
  if (def.memoryHighBytes !== undefined)
    service.push(["MemoryHigh", String(Math.round(def.memoryHighBytes))]);
  if (def.memoryMaxBytes !== undefined) service.push(["MemoryMax", String(Math.round(def.memoryMaxBytes))]);
  service.push(...sandbox(def.readWritePaths));

  // No [Install] section: node units are never enabled. The agent starts them on its first reconcile
  // after boot, so a node whose desired state is "stopped" does not come back on its own.
  return renderSections(
    [`Managed by Novacula: node ${def.nodeName}, role ${def.role}. Local edits are overwritten.`],
    [
      ["Unit", unit],
      ["Service", service],
    ],
  );
}

/** The definition hash recorded in a unit file, or null when the file is not a Novacula node unit. */
export function parseDefinitionHash(unitText: string): string | null {
  const prefix = `${DEFINITION_HASH_KEY}=`;
  for (const line of unitText.split("\n")) {
    if (line.startsWith(prefix)) return line.slice(prefix.length).trim() || null;
  }
  return null;
}

export interface AgentUnitOptions {
  /** Absolute path of the novacula binary the unit runs (its `.prev` sibling is the rollback target). */
  binaryPath: string;
  /** Absolute path of agent.toml. */
  configPath: string;
  /** Seconds a new version has to confirm after a self-upgrade (default DEFAULT_UPGRADE_CONFIRM_SECS). */
  upgradeConfirmSecs?: number;
}

/** Least time between two of the allocator's idle sweeps of the agent's heaps (see renderAgentUnit). */
const AGENT_HEAP_SWEEP_INTERVAL_MS = 10_000;

/**
 * novacula-agent.service: `agent run`, restarted whenever it exits, rolled back (during a self-upgrade) after
 * 3 starts in 120 s.
 */
export function renderAgentUnit({ binaryPath, configPath }: AgentUnitOptions): string {
  assertAbsolute("binaryPath", binaryPath);
  assertAbsolute("configPath", configPath);
  return renderSections(
    ["Managed by Novacula (`novacula agent install`). Local edits are overwritten on the next install."],
    [
      [
        "Unit",
        [
          ["Description", "Novacula agent"],
          ["Wants", "network-online.target"],
          ["After", "network-online.target"],
          // The flap budget (reference §4): the 4th start within 120 s is refused, the unit fails, and
          // OnFailure= runs the rollback. Restart=always below makes a clean exit count too.
          ["StartLimitBurst", "3"],
          ["StartLimitIntervalSec", "120"],
          ["OnFailure", ROLLBACK_UNIT],
        ],
      ],
      [
        "Service",
        [
          ["Type", "exec"],
          ["ExecStart", renderExecStart(binaryPath, ["agent", "run", "--config", configPath])],
          // Bun's allocator (mimalloc) sweeps a thread's heaps for free pages to hand back each time the
          // thread goes idle, at most every 100 ms by default. The agent goes idle after every small
          // task, so those sweeps were a quarter of its idle CPU; every 10 s gives back the same memory
          // (docs/benchmarks.md, Agent). Read once at start, so it has to come from the environment.
          ["Environment", `MIMALLOC_PURGE_HOLES_MIN_INTERVAL=${AGENT_HEAP_SWEEP_INTERVAL_MS}`],
          // always, not on-failure: an agent exits 0 only when told to stop, so a new binary that exits 0 at
          // once is as broken as one that crashes; both spend the flap budget and are rolled back.
          // `systemctl stop` still stops it for good (an explicit stop is never restarted).
          ["Restart", "always"],
          ["RestartSec", "2"],
          // Node processes are separate units: stopping the agent never stops a node.
          ["TimeoutStopSec", "30"],
        ],
      ],
      ["Install", [["WantedBy", "multi-user.target"]]],
    ],
  );
}

/**
 * novacula-agent-rollback.service, run by OnFailure= (the flap budget ran out) or by the upgrade guard timer
 * (the new version did not confirm in time). It acts only while a self-upgrade is pending (the marker
 * `<binary>.upgrade-pending` exists) and `<binary>.prev` exists: it records why (`<binary>.rollback-reason`:
 * exited_at_once or start_failed from the failed unit's last exit status, else health_timeout), keeps the
 * failing binary as `<binary>.broken`, renames `.prev` back over `<binary>` (atomic rename(2)), clears the
 * start-limit state and restarts the agent, whose previous version then reports the rollback. Otherwise it
 * does nothing: a crash loop from a bad config never downgrades a binary that was confirmed good, and cannot
 * make rollback and restart loop forever. It is plain sh, so it works however broken the new binary is.
 */
export function renderRollbackUnit({ binaryPath }: Pick<AgentUnitOptions, "binaryPath">): string {
  assertAbsolute("binaryPath", binaryPath);
  // The binary path is passed as $0 of the script rather than pasted into it, so no shell quoting of
  // the path is needed; quoteWord() escapes the script itself for systemd ($ -> $$, % -> %%).
  const script = [
    'if [ -e "$0.upgrade-pending" ] && [ -e "$0.prev" ]; then',
    `if [ "$(systemctl show -P ActiveState ${AGENT_UNIT})" != failed ]; then r=health_timeout;`,
    `elif [ "$(systemctl show -P ExecMainStatus ${AGENT_UNIT})" = 0 ]; then r=exited_at_once;`,
    "else r=start_failed; fi;",
    'echo "$r" > "$0.rollback-reason";',
    'if [ -e "$0" ]; then ln -f "$0" "$0.broken"; fi;',
    'if mv -f "$0.prev" "$0"; then sync "$0" "$0.rollback-reason";',
    // reset-failed clears the spent flap budget, so the restored binary is not refused its first start.
    `systemctl reset-failed ${AGENT_UNIT}; systemctl restart --no-block ${AGENT_UNIT}; fi;`,
    "else echo 'no pending upgrade to roll back' >&2; fi",
  ].join(" ");
  return renderSections(
    ["Managed by Novacula (`novacula agent install`). Runs when novacula-agent.service fails."],
    [
      [
        "Unit",
        [
          ["Description", "Novacula agent rollback to the previous binary"],
          // A rollback must not itself be refused by a start limit when upgrades fail repeatedly.
          ["StartLimitIntervalSec", "0"],
        ],
      ],
      [
        "Service",
        [
          ["Type", "oneshot"],
          ["ExecStart", renderExecStart("/bin/sh", ["-c", script, binaryPath])],
        ],
      ],
    ],
  );
}

/**
 * novacula-agent-upgrade-guard.timer: the old binary starts it just before a self-upgrade's swap; after
 * `upgradeConfirmSecs` it starts the rollback unit, which rolls back only if the marker is still there. The new
 * version removes the marker and stops the timer once it has synced. The deadline is kept by systemd, not by
 * the new binary, so a binary that hangs or never syncs is rolled back all the same.
 */
export function renderUpgradeGuardTimer({
  upgradeConfirmSecs = DEFAULT_UPGRADE_CONFIRM_SECS,
}: Pick<AgentUnitOptions, "upgradeConfirmSecs">): string {
  if (!Number.isInteger(upgradeConfirmSecs) || upgradeConfirmSecs < 10) {
    throw new UnitRenderError(`upgradeConfirmSecs must be an integer of at least 10: ${upgradeConfirmSecs}`);
  }
  return renderSections(
    ["Managed by Novacula (`novacula agent install`). Started by the agent just before a self-upgrade."],
    [
      [
        "Unit",
        [
          ["Description", "Novacula agent upgrade confirmation deadline"],
          ["StartLimitIntervalSec", "0"],
        ],
      ],
      [
        "Timer",
        [
          ["OnActiveSec", String(upgradeConfirmSecs)],
          ["AccuracySec", "1s"],
          ["Unit", ROLLBACK_UNIT],
          // Elapsed once, done: a later upgrade starts it again with a fresh deadline.
          ["RemainAfterElapse", "no"],
        ],
      ],
    ],
  );
}
