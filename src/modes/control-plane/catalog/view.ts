// The catalog as the control plane reads it: shipped entries with the admin's entries laid over them, each
// file with its status (verified: the entry carries the upstream's sha256; pinned: an admin pinned the
// sha256 the control plane computed; unverified: neither, never delivered) and the resolution of a node's
// clients onto the files an executor installs. Pure: built from rows, no I/O, rebuilt when the catalog
// changes and then only read.
import type { CatalogChecksumRow, CatalogEntryRow } from "../../../db/queries/catalog.ts";
import type {
  CatalogEntry,
  CatalogFile,
  NodeArtifacts,
  Platform,
  ResolvedArtifact,
} from "../../../protocol/artifacts.ts";

export type FileStatus = "verified" | "pinned" | "unverified";

/** One file of an entry with what the control plane knows of it. */
export interface FileView extends CatalogFile {
  /** The artifact's name in its role ("client", "jre", "genesis"). */
  name: string;
  /** Set for a platform's file, null for a network's. */
  platform: Platform | null;
  network: string | null;
  status: FileStatus;
  /** The sha256 the file is delivered under: the entry's, or the pinned one; null when unverified. */
  effectiveSha256: string | null;
  /** What the control plane's own download of the URL hashed to, when it downloaded it. */
  computedSha256: string | null;
}

export interface EntryView {
  entry: CatalogEntry;
  /** shipped: in the binary; added: by an admin; overridden: an admin's entry replacing a shipped one. */
  origin: "shipped" | "added" | "overridden";
  addedByName: string | null;
  updatedAt: Date | null;
  files: FileView[];
}

/** Where resolved files are fetched from: the control plane's artifact store, or upstream directly. */
export type ArtifactSource = "control-plane" | "upstream";

/** The control plane's content-addressed artifact route, relative to its URL. */
export const artifactPath = (sha256: string) => `/api/v1/executor/artifacts/${sha256}`;

const key = (chain: string, client: string, version: string) => `${chain}\u0000${client}\u0000${version}`;

function fileView(
  file: CatalogFile,
  name: string,
  where: { platform: Platform | null; network: string | null },
  checksums: ReadonlyMap<string, CatalogChecksumRow>,
): FileView {
  const known = checksums.get(file.url);
  const pinned = file.sha256 === null ? (known?.pinnedSha256 ?? null) : null;
  return {
    ...file,
    name,
    ...where,
    status: file.sha256 !== null ? "verified" : pinned ? "pinned" : "unverified",
    effectiveSha256: file.sha256 ?? pinned,
    computedSha256: known?.computedSha256 ?? null,
  };
}

function filesOf(entry: CatalogEntry, checksums: ReadonlyMap<string, CatalogChecksumRow>): FileView[] {
  const files: FileView[] = [];
  for (const [platform, set] of Object.entries(entry.platforms) as [Platform, Record<string, CatalogFile>][])
    for (const [name, file] of Object.entries(set))
      files.push(fileView(file, name, { platform, network: null }, checksums));
  for (const [network, set] of Object.entries(entry.networks ?? {}))
    for (const [name, file] of Object.entries(set))
      files.push(fileView(file, name, { platform: null, network }, checksums));
  return files;
}

/** Compare versions newest first: semver when both parse, else as text. */
export function newestFirst(a: string, b: string): number {
  try {
    return Bun.semver.order(b.replace(/^v/, ""), a.replace(/^v/, ""));
  } catch {
    return b.localeCompare(a);
  }
}

export class CatalogView {
  private entries = new Map<string, EntryView>();
  /** chain → client → versions, newest first. */
  private versions = new Map<string, Map<string, string[]>>();
  private bySha256 = new Map<string, FileView>();
  private byUrl = new Map<string, FileView[]>();
  /** Resolutions already computed (a fleet runs few distinct client versions). */
  private resolved = new Map<string, Record<string, ResolvedArtifact> | null>();

  constructor(
    shipped: readonly CatalogEntry[],
    added: readonly CatalogEntryRow[],
    checksums: readonly CatalogChecksumRow[],
    private readonly source: ArtifactSource,
  ) {
    const sums = new Map(checksums.map((c) => [c.url, c]));
    for (const entry of shipped)
      this.entries.set(key(entry.chain, entry.client, entry.version), {
        entry,
        origin: "shipped",
        addedByName: null,
        updatedAt: null,
        files: filesOf(entry, sums),
      });
    for (const row of added) {
      const k = key(row.chain, row.client, row.version);
      this.entries.set(k, {
        entry: row.entry,
        origin: this.entries.has(k) ? "overridden" : "added",
        addedByName: row.addedByName,
        updatedAt: row.updatedAt,
        files: filesOf(row.entry, sums),
      });
    }
    for (const view of this.entries.values()) {
      const { chain, client, version } = view.entry;
      const clients = this.versions.get(chain) ?? new Map<string, string[]>();
      this.versions.set(chain, clients);
      clients.set(client, [...(clients.get(client) ?? []), version]);
      for (const file of view.files) {
        if (file.effectiveSha256 && !this.bySha256.has(file.effectiveSha256))
          this.bySha256.set(file.effectiveSha256, file);
        this.byUrl.set(file.url, [...(this.byUrl.get(file.url) ?? []), file]);
      }
    }
    for (const clients of this.versions.values()) for (const list of clients.values()) list.sort(newestFirst);
  }

  get(chain: string, client: string, version: string): EntryView | null {
    return this.entries.get(key(chain, client, version)) ?? null;
  }

  /** Every entry, by chain, client and newest version first; optionally of one chain and client. */
  list(chain?: string | null, client?: string | null): EntryView[] {
    const out: EntryView[] = [];
    for (const [c, clients] of [...this.versions].sort(([a], [b]) => a.localeCompare(b))) {
      if (chain && c !== chain) continue;
      for (const [name, versions] of [...clients].sort(([a], [b]) => a.localeCompare(b))) {
        if (client && name !== client) continue;
        for (const version of versions) out.push(this.get(c, name, version)!);
      }
    }
    return out;
  }

  /** The catalog's versions of a client, newest first; null when the catalog has none (it does not manage it). */
  versionsOf(chain: string, client: string): readonly string[] | null {
    return this.versions.get(chain)?.get(client) ?? null;
  }

  fileBySha256(sha256: string): FileView | null {
    return this.bySha256.get(sha256) ?? null;
  }

  filesByUrl(url: string): readonly FileView[] {
    return this.byUrl.get(url) ?? [];
  }

  /** The files a node of this version needs on a platform: the platform's (if known) and the network's. */
  neededFiles(view: EntryView, network: string, platform: Platform | null): FileView[] {
    return view.files.filter((f) => (platform !== null && f.platform === platform) || f.network === network);
  }

  /**
   * role → name → file for a node's clients on a platform: what the spec an executor receives carries.
   * Unverified files are left out (the executor's plan then reports them missing; deploy refused them).
   */
  artifactsFor(
    spec: { chain: string; network: string; clients: Record<string, { name: string; version: string }> },
    platform: Platform | null,
  ): NodeArtifacts | undefined {
    const out: NodeArtifacts = {};
    for (const [role, ref] of Object.entries(spec.clients)) {
      const k = `${key(spec.chain, ref.name, ref.version)}\u0000${spec.network}\u0000${platform}`;
      let files = this.resolved.get(k);
      if (files === undefined) {
        files = this.resolve(spec.chain, ref.name, ref.version, spec.network, platform);
        this.resolved.set(k, files);
      }
      if (files) out[role] = files;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private resolve(
    chain: string,
    client: string,
    version: string,
    network: string,
    platform: Platform | null,
  ): Record<string, ResolvedArtifact> | null {
    const view = this.get(chain, client, version);
    if (!view) return null;
    const out: Record<string, ResolvedArtifact> = {};
    for (const file of this.neededFiles(view, network, platform)) {
      if (!file.effectiveSha256) continue;
      const upstream = this.source === "upstream" && /^https?:\/\//.test(file.url);
      out[file.name] = {
        url: upstream ? file.url : artifactPath(file.effectiveSha256),
        sha256: file.effectiveSha256,
        format: file.format,
        ...(file.member !== undefined ? { member: file.member } : {}),
        ...(file.size !== undefined ? { size: file.size } : {}),
      };
    }
    return Object.keys(out).length > 0 ? out : null;
  }
}
