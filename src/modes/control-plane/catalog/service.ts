// The client catalog service: which client versions exist and where their files come from (reference:
// client versions are data). Reads go to an in-memory CatalogView rebuilt when the catalog changes: at once
// after a write of this process, and within RECHECK_MS after another process's (the `catalog import`
// command), which it notices by the generation number every catalog write bumps. Writes are system-admin
// actions, each with its audit row (platform scope). Also what the artifact store asks: which upstream URL
// serves a sha256, and where to record the sha256 it computed for a file shipped without one.
import type { DbOrTx } from "../../../db/client.ts";
import {
  catalogGeneration,
  deleteCatalogEntry,
  listCatalogChecksums,
  listCatalogEntries,
  pinSha256,
  recordComputedSha256,
  upsertCatalogEntry,
} from "../../../db/queries/catalog.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, notFound } from "../../../lib/errors.ts";
import type { ArtifactFormat, CatalogEntry, NodeArtifacts, Platform } from "../../../protocol/artifacts.ts";
import { recordAudit } from "../audit/service.ts";
import type { AuditedCaller } from "../auth/caller.ts";
import { defaultCatalog } from "./defaults.ts";
import { checkCatalogEntries } from "./entries.ts";
import { type ArtifactSource, CatalogView, type EntryView, type FileView } from "./view.ts";

/** How stale this process's view may be after another process changed the catalog. */
export const RECHECK_MS = 1_000;

const SHA256 = /^[0-9a-f]{64}$/;

/** What the artifact store needs to fetch a file by its sha256. */
export interface CatalogFileSource {
  url: string;
  format: ArtifactFormat;
  member?: string;
  size?: number;
}

export interface PinInput {
  chain: string;
  client: string;
  version: string;
  /** A platform's file; or give `network` for a network's file. */
  platform?: string | null;
  network?: string | null;
  artifact: string;
  sha256: string;
}

export class CatalogService {
  private view: CatalogView | null = null;
  private generation = -1;
  private checkedAt = 0;
  private checksumListeners = new Set<(url: string) => void>();

  constructor(
    private readonly db: DbOrTx,
    private readonly clock: Clock,
    readonly source: ArtifactSource = "control-plane",
  ) {
    // A shipped file that does not match the schema stops startup, naming the file and the path.
    defaultCatalog();
  }

  /** The current view (rebuilt when the catalog changed). */
  current(): CatalogView {
    const now = this.clock.now().getTime();
    if (this.view && now - this.checkedAt < RECHECK_MS) return this.view;
    this.checkedAt = now;
    const generation = catalogGeneration(this.db);
    if (!this.view || generation !== this.generation) {
      this.view = new CatalogView(
        defaultCatalog(),
        listCatalogEntries(this.db),
        listCatalogChecksums(this.db),
        this.source,
      );
      this.generation = generation;
    }
    return this.view;
  }

  private invalidate(): void {
    this.view = null;
  }

  list(chain?: string | null, client?: string | null): EntryView[] {
    return this.current().list(chain, client);
  }

  /** Adds or replaces admin entries, all or none; one audit row per entry. */
  add(by: AuditedCaller, input: unknown): EntryView[] {
    const entries = checkCatalogEntries(input);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      for (const entry of entries) {
        const { replaced } = upsertCatalogEntry(tx, entry, { id: by.actor.id, name: by.actor.name }, now);
        this.audit(tx, by, "catalog.entry.added", entry, { replaced, files: fileCount(entry) }, now);
      }
    });
    this.invalidate();
    const view = this.current();
    return entries.map((e) => view.get(e.chain, e.client, e.version)!);
  }

  /** Removes an admin entry (a shipped entry it replaced comes back); shipped entries cannot be removed. */
  remove(by: AuditedCaller, chain: string, client: string, version: string): EntryView | null {
    const existing = this.current().get(chain, client, version);
    if (!existing) throw notFound(`the catalog has no ${chain} ${client} ${version}`);
    if (existing.origin === "shipped")
      throw conflict(`${chain} ${client} ${version} ships with Novacula and cannot be removed`, [
        {
          path: "/version",
          message:
            "shipped entries stay; replace it with addCatalogEntries, or pin an unverified file with pinCatalogChecksum",
        },
      ]);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      deleteCatalogEntry(tx, chain, client, version);
      this.audit(tx, by, "catalog.entry.removed", existing.entry, { origin: existing.origin }, now);
    });
    this.invalidate();
    return this.current().get(chain, client, version);
  }

  /** Pins the sha256 the control plane computed for an unverified file; the value must match it. */
  pin(by: AuditedCaller, input: PinInput): EntryView {
    if (Boolean(input.platform) === Boolean(input.network))
      throw badRequest("name the file's platform or its network, not both", [
        {
          path: "/platform",
          message: 'give platform (e.g. "linux-x64") for a build, or network for a per-network file',
        },
      ]);
    const view = this.current().get(input.chain, input.client, input.version);
    if (!view) throw notFound(`the catalog has no ${input.chain} ${input.client} ${input.version}`);
    const file = view.files.find(
      (f) =>
        f.name === input.artifact &&
        (input.network ? f.network === input.network : f.platform === (input.platform ?? null)),
    );
    const where = input.network ? `network ${input.network}` : `platform ${input.platform}`;
    if (!file) {
      const names = view.files.map((f) => `${f.name} (${f.platform ?? `network ${f.network}`})`).join(", ");
      throw badRequest(
        `${input.chain} ${input.client} ${input.version} has no ${input.artifact} for ${where}`,
        [{ path: "/artifact", message: `use one of: ${names}` }],
      );
    }
    if (file.status === "verified")
      throw conflict(`this file is verified against the upstream's sha256 (${file.sha256}); nothing to pin`, [
        { path: "/sha256", message: "verified files need no pin" },
      ]);
    if (!SHA256.test(input.sha256))
      throw badRequest("sha256 is not valid", [{ path: "/sha256", message: "use 64 lowercase hex digits" }]);
    if (!file.computedSha256)
      throw conflict(`the control plane has not downloaded ${file.url} yet, so it has no sha256 to pin`, [
        {
          path: "/sha256",
          message:
            "deploy a node with this version once (refused, it starts the download), then pin the sha256 clientCatalog shows as computedSha256",
        },
      ]);
    if (file.computedSha256 !== input.sha256)
      throw badRequest("the sha256 differs from the one the control plane computed", [
        {
          path: "/sha256",
          message: `the control plane's download hashed to ${file.computedSha256}: check that value against the upstream and pin it`,
        },
      ]);
    const now = this.clock.now();
    this.db.transaction((tx) => {
      pinSha256(tx, file.url, input.sha256, by.actor.id, now);
      this.audit(
        tx,
        by,
        "catalog.checksum.pinned",
        view.entry,
        {
          platform: file.platform,
          network: file.network,
          artifact: file.name,
          url: file.url,
          sha256: input.sha256,
        },
        now,
      );
    });
    this.invalidate();
    return this.current().get(input.chain, input.client, input.version)!;
  }

  /** The files a node's processes install, resolved for the executor's platform and the node's network. */
  artifactsFor(
    spec: { chain: string; network: string; clients: Record<string, { name: string; version: string }> },
    platform: Platform | null,
  ): NodeArtifacts | undefined {
    return this.current().artifactsFor(spec, platform);
  }

  /** For the artifact store: the upstream file a sha256 (verified or pinned) stands for, or null. */
  catalogFileBySha256(sha256: string): CatalogFileSource | null {
    const file = this.current().fileBySha256(sha256);
    if (!file) return null;
    return {
      url: file.url,
      format: file.format,
      ...(file.member !== undefined ? { member: file.member } : {}),
      ...(file.size !== undefined ? { size: file.size } : {}),
    };
  }

  /** For the artifact store: what a download of `url` hashed to (shown to admins for unverified files). */
  recordComputedChecksum(url: string, sha256: string): void {
    if (!SHA256.test(sha256)) throw new Error(`not a lowercase hex sha256: ${sha256}`);
    this.db.transaction((tx) => recordComputedSha256(tx, url, sha256, this.clock.now()));
    this.invalidate();
  }

  /**
   * For the artifact store: called with the URL of an unverified file nobody has hashed yet when a deploy
   * needs it, so the store can download it and record its sha256 (recordComputedChecksum) for an admin to pin.
   */
  onChecksumNeeded(listener: (url: string) => void): () => void {
    this.checksumListeners.add(listener);
    return () => this.checksumListeners.delete(listener);
  }

  /** Unverified, unpinned files not hashed yet (what onChecksumNeeded is called with). */
  checksumNeeded(files: readonly FileView[]): void {
    for (const file of files)
      if (file.status === "unverified" && !file.computedSha256)
        for (const listener of this.checksumListeners) listener(file.url);
  }

  private audit(
    tx: DbOrTx,
    by: AuditedCaller,
    action: "catalog.entry.added" | "catalog.entry.removed" | "catalog.checksum.pinned",
    entry: Pick<CatalogEntry, "chain" | "client" | "version">,
    details: Record<string, unknown>,
    at: Date,
  ): void {
    const name = `${entry.chain} ${entry.client} ${entry.version}`;
    recordAudit(
      tx,
      { ...by, organizationId: null },
      action,
      { kind: "catalog_entry", id: `${entry.chain}/${entry.client}/${entry.version}`, name },
      { chain: entry.chain, client: entry.client, version: entry.version, ...details },
      at,
      { scope: "platform" },
    );
  }
}

function fileCount(entry: CatalogEntry): number {
  let n = 0;
  for (const set of Object.values(entry.platforms)) n += Object.keys(set ?? {}).length;
  for (const set of Object.values(entry.networks ?? {})) n += Object.keys(set).length;
  return n;
}
