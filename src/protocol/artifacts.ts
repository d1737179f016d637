// Client artifacts on the wire: the client catalog's entries (which versions of a client exist, where their
// files come from, pinned by sha256) and the resolved artifacts the control plane delivers with each spec,
// so an executor needs no catalog of its own.
import { type Static, Type as T } from "@sinclair/typebox";

export const PLATFORMS = ["linux-x64", "linux-arm64"] as const;
export const Platform = T.Union(PLATFORMS.map((p) => T.Literal(p)));
export type Platform = Static<typeof Platform>;

/**
 * The platform of a host from its OS and CPU architecture as Node reports them (process.platform and
 * process.arch, which agents send as resources.os and resources.arch), or null when no client build fits it.
 */
export function platformOf(os: string | null | undefined, arch: string | null | undefined): Platform | null {
  if (os !== "linux") return null;
  if (arch === "x64") return "linux-x64";
  if (arch === "arm64") return "linux-arm64";
  return null;
}

/** How a file is packed: a bare file, or an archive holding it. */
export const ArtifactFormat = T.Union([T.Literal("binary"), T.Literal("tar.gz"), T.Literal("zip")]);
export type ArtifactFormat = Static<typeof ArtifactFormat>;

const Sha256 = T.String({ pattern: "^[0-9a-f]{64}$", description: "lowercase hex sha256" });
/** Inside an archive: a relative path with no "..", e.g. "geth-linux-amd64-1.17.10-5f6b9b2f/geth". */
const Member = T.String({ pattern: "^(?!/)(?!.*(^|/)\\.\\.(/|$))[A-Za-z0-9._+/-]{1,512}$" });
/** An artifact's name within its role: "client" is the process's own program; others are e.g. "jre", "genesis". */
export const ArtifactName = T.String({ pattern: "^[a-z][a-z0-9-]{0,31}$" });

/** One file of a catalog entry, as an admin writes it. */
export const CatalogFile = T.Object(
  {
    url: T.String({ pattern: "^(https?://|npm:)", maxLength: 2048, fix: "write an https:// URL" }),
    /** null: not verified against the upstream project's published checksums (an admin must pin it). */
    sha256: T.Union([Sha256, T.Null()]),
    format: ArtifactFormat,
    /** For an archive: the file (or, with a trailing "/", the directory) this artifact stands for. */
    member: T.Optional(Member),
    size: T.Optional(T.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CatalogFile = Static<typeof CatalogFile>;

const FileSet = T.Record(ArtifactName, CatalogFile, { minProperties: 1, maxProperties: 8 });

/** One version of one client: its files per platform (and per network, e.g. a genesis), and its image. */
export const CatalogEntry = T.Object(
  {
    chain: T.String({ pattern: "^[a-z0-9-]{1,63}$" }),
    client: T.String({ pattern: "^[a-z0-9-]{1,63}$" }),
    version: T.String({ minLength: 1, maxLength: 64, pattern: "^[0-9A-Za-z.+_-]+$" }),
    /** platform → artifact name → file; every platform present has a "client". */
    platforms: T.Partial(T.Record(Platform, FileSet)),
    /** network → artifact name → file, for files that depend on the network, not the platform. */
    networks: T.Optional(T.Record(T.String({ pattern: "^[a-z0-9-]{1,63}$" }), FileSet)),
    /** For the operator: the container image and its digest. */
    image: T.Optional(
      T.Object(
        {
          ref: T.String({ minLength: 1, maxLength: 512 }),
          digest: T.String({ pattern: "^sha256:[0-9a-f]{64}$" }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Where the checksums come from (the upstream's published checksum file or release page). */
    source: T.Optional(T.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type CatalogEntry = Static<typeof CatalogEntry>;

/** A file an executor installs, resolved from the catalog for its platform and the node's network. */
export const ResolvedArtifact = T.Object(
  {
    /** Absolute http(s) URL (upstream), or a path on the control plane (starts with "/"). */
    url: T.String({ minLength: 1, maxLength: 2048 }),
    sha256: Sha256,
    format: ArtifactFormat,
    member: T.Optional(Member),
    size: T.Optional(T.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type ResolvedArtifact = Static<typeof ResolvedArtifact>;

/** role → artifact name → artifact: everything a node's processes need installed. */
export const NodeArtifacts = T.Record(T.String({ maxLength: 32 }), T.Record(ArtifactName, ResolvedArtifact));
export type NodeArtifacts = Static<typeof NodeArtifacts>;
