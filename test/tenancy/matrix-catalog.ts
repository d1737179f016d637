// Authorization-matrix rows of the client catalog: every signed-in user reads it (it is global, like the
// release catalog); only system admins (none of the matrix's principals) change it.
import { type Row, read, systemOnly } from "./matrix-kit.ts";

const ENTRY = {
  chain: "matrix",
  client: "matrixclient",
  version: "1.0.0",
  platforms: {
    "linux-x64": {
      client: {
        url: "https://downloads.example.invalid/matrixclient",
        sha256: "0".repeat(64),
        format: "binary",
      },
    },
  },
};

export const CATALOG_ROWS: Row[] = [
  {
    op: "Query.clientCatalog",
    doc: '{ clientCatalog(chain: "devnet") { version } }',
    expect: read("ok"),
  },
  {
    op: "Mutation.addCatalogEntries",
    doc: "mutation($e: JSON!) { addCatalogEntries(entries: $e) { version } }",
    vars: () => ({ e: [ENTRY] }),
    expect: systemOnly,
  },
  {
    op: "Mutation.removeCatalogEntry",
    doc: 'mutation { removeCatalogEntry(chain: "devnet", client: "anvil", version: "1.7.1") { version } }',
    expect: systemOnly,
  },
  {
    op: "Mutation.pinCatalogChecksum",
    doc: `mutation { pinCatalogChecksum(chain: "devnet", client: "anvil", version: "1.7.1", platform: "linux-x64", artifact: "client", sha256: "${"0".repeat(64)}") { version } }`,
    expect: systemOnly,
  },
];
