// Helpers of the client-catalog tests: entries for a chain this binary has no adapter for (so the
// executor's announced offer and the catalog decide alone), an executor announcing that chain, and the
// GraphQL documents the tests send.
import { openDatabase } from "../../src/db/client.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { CatalogService } from "../../src/modes/control-plane/catalog/service.ts";
import type { ExecutorCapabilities } from "../../src/protocol/index.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { CAPABILITIES } from "./protocol-client.ts";

export const sha256Of = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** An executor that runs "demo" with any democlient inside 1.x (as a real adapter's versionRange says). */
export const DEMO_CAPABILITIES: ExecutorCapabilities = {
  ...CAPABILITIES,
  supportedChains: [
    ...CAPABILITIES.supportedChains,
    {
      chain: "demo",
      networks: ["main", "test"],
      roles: [
        {
          role: "node",
          clients: [{ name: "democlient", versions: ["1.0.0"], versionRange: ">=1.0.0 <2.0.0" }],
        },
      ],
      nodeTypes: ["full"],
      defaults: {},
      configOverrideSchema: { files: {}, args: {} },
    },
  ],
};

export const demoSpec = (version: string, network = "main") => ({
  chain: "demo",
  network,
  nodeType: "full",
  clients: { node: { name: "democlient", version } },
});

/** A demo entry with a tar.gz per platform (sha256 given, or null = unverified) and a genesis per network. */
export function demoEntry(version: string, sha256: string | null = sha256Of(`democlient ${version}`)) {
  const build = (arch: string) => ({
    client: {
      url: `https://downloads.example.invalid/democlient-${version}-${arch}.tar.gz`,
      sha256: sha256 && sha256Of(`${sha256} ${arch}`),
      format: "tar.gz",
      member: `democlient-${version}/democlient`,
      size: 1234,
    },
  });
  return {
    chain: "demo",
    client: "democlient",
    version,
    platforms: { "linux-x64": build("x64"), "linux-arm64": build("arm64") },
    networks: {
      main: {
        genesis: {
          url: `https://downloads.example.invalid/democlient-${version}-main-genesis.zip`,
          sha256: sha256Of(`genesis main ${version}`),
          format: "zip",
          member: "genesis.json",
        },
      },
      test: {
        genesis: {
          url: `https://downloads.example.invalid/democlient-${version}-test-genesis.zip`,
          sha256: sha256Of(`genesis test ${version}`),
          format: "zip",
          member: "genesis.json",
        },
      },
    },
    source: "test fixture",
  };
}

export const ENTRY_FIELDS = `chain client version origin source
  files { name platform network url format member size sha256 status computedSha256 effectiveSha256 }`;

export const ADD = `mutation($e: JSON!) { addCatalogEntries(entries: $e) { ${ENTRY_FIELDS} } }`;
export const REMOVE = `mutation($c: String!, $cl: String!, $v: String!) {
  removeCatalogEntry(chain: $c, client: $cl, version: $v) { version origin } }`;
export const PIN = `mutation($v: String!, $p: String, $a: String!, $s: String!) {
  pinCatalogChecksum(chain: "demo", client: "democlient", version: $v, platform: $p, artifact: $a, sha256: $s) {
    ${ENTRY_FIELDS} } }`;
export const LIST = `query($c: String, $cl: String) { clientCatalog(chain: $c, client: $cl) { ${ENTRY_FIELDS} } }`;

/**
 * What the artifact store does on its first download of an unverified file: records the sha256 it computed,
 * from its own connection to the control plane's database (the running control plane sees it within 1 s).
 */
export function recordDownload(cp: ControlPlaneHandle, url: string, sha256: string): void {
  const db = openDatabase(`${cp.dataDir}/cp.db`);
  try {
    new CatalogService(db, systemClock).recordComputedChecksum(url, sha256);
  } finally {
    db.close();
  }
}
