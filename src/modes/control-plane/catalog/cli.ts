// `novacula control-plane catalog import FILE` and `novacula control-plane catalog list [--json]`: the
// client catalog from a shell on the control plane's machine (same environment as the server: the
// database is NOVACULA_DATA_DIR/cp.db or DATABASE_URL). Safe while the server runs: SQLite serializes the
// writes and the server picks the change up within a second. Bad input exits 2 naming each entry's index,
// the field and the fix; nothing is imported then.
import { readFileSync } from "node:fs";
import { openDatabase } from "../../../db/client.ts";
import { systemClock } from "../../../lib/clock.ts";
import { AppError, UsageError } from "../../../lib/errors.ts";
import type { AuditedCaller } from "../auth/caller.ts";
import { loadControlPlaneConfig } from "../config.ts";
import { CatalogService } from "./service.ts";
import type { EntryView } from "./view.ts";

const USAGE = `usage:
  novacula control-plane catalog import FILE   add or replace the entries of FILE (a JSON array of CatalogEntry)
  novacula control-plane catalog list [--json] every client version in the catalog with its files' status`;

/** Who the audit log names for a change made from the machine's shell. */
const CLI_ACTOR: AuditedCaller = {
  organizationId: null,
  actor: { id: "system", name: "novacula control-plane catalog import", email: "" },
  meta: { ipAddress: null, userAgent: null, source: "system" },
};

function readEntries(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      "give the path of a JSON file holding an array of catalog entries",
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${file} is not JSON: ${(error as Error).message}`,
      "fix the JSON syntax (the file is an array of catalog entries)",
    );
  }
}

/** "entry 0 (ethereum geth 1.16.7), /platforms/linux-x64/client/sha256: …" */
function explain(input: unknown, path: string, message: string): string {
  const match = /^\/(\d+)(\/.*)?$/.exec(path);
  if (!match || !Array.isArray(input)) return `${path}: ${message}`;
  const entry = input[Number(match[1])] as
    | { chain?: unknown; client?: unknown; version?: unknown }
    | undefined;
  const name = [entry?.chain, entry?.client, entry?.version].filter((p) => typeof p === "string").join(" ");
  return `entry ${match[1]}${name ? ` (${name})` : ""}, field ${match[2] ?? "/"}: ${message}`;
}

function describe(view: EntryView): string {
  const files = view.files
    .map(
      (f) =>
        `${f.platform ?? f.network}/${f.name} ${f.status}${f.computedSha256 && f.status === "unverified" ? ` (computed ${f.computedSha256})` : ""}`,
    )
    .join(", ");
  return `${view.entry.chain} ${view.entry.client} ${view.entry.version} [${view.origin}] ${files}`;
}

export function runCatalogCli(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== "import" && command !== "list")
    throw new UsageError(`unknown catalog command: ${command}`, USAGE);
  const config = loadControlPlaneConfig();
  if (command === "import" && rest.length !== 1) throw new UsageError("catalog import takes one FILE", USAGE);
  if (command === "list" && rest.some((a) => a !== "--json"))
    throw new UsageError(`unknown option for catalog list: ${rest.find((a) => a !== "--json")}`, USAGE);
  const input = command === "import" ? readEntries(rest[0]!) : null;
  const db = openDatabase(config.databasePath);
  try {
    const catalog = new CatalogService(db, systemClock, config.artifactSource);
    if (command === "list") {
      const views = catalog.list();
      console.log(
        rest.includes("--json")
          ? JSON.stringify(
              views.map((v) => ({ ...v.entry, origin: v.origin, files: v.files })),
              null,
              2,
            )
          : views.map(describe).join("\n"),
      );
      return 0;
    }
    try {
      const added = catalog.add(CLI_ACTOR, input);
      for (const view of added) console.log(`imported ${describe(view)}`);
      console.log(`${added.length} catalog ${added.length === 1 ? "entry" : "entries"} imported`);
      return 0;
    } catch (error) {
      if (!(error instanceof AppError) || error.details.length === 0) throw error;
      throw new UsageError(
        `${rest[0]} has ${error.details.length} problem${error.details.length === 1 ? "" : "s"}; nothing was imported:\n${error.details
          .map((d) => `  ${explain(input, d.path, d.message)}`)
          .join("\n")}`,
        "fix each field named above and import the file again",
      );
    }
  } finally {
    db.close();
  }
}
