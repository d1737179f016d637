// `novacula control-plane artifact import FILE`: for sites without egress, put a client file into the
// artifact store by hand. The file is hashed and stored under its sha256 (the same store the upstream fetcher
// fills), and the sha256 is printed: executors asking for it are then served at once, with no upstream fetch.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../../../lib/errors.ts";
import { loadControlPlaneConfig } from "../config.ts";
import { ArtifactStore } from "./store.ts";

const USAGE = `usage: novacula control-plane artifact import FILE

Stores FILE in the control plane's artifact store (<NOVACULA_DATA_DIR>/artifacts/sha256/) and prints its
sha256. Executors asking for that sha256 are served the file; a client catalog entry pinning another
sha256 does not match it.`;

export async function runArtifactCli(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "--help" || verb === "-h" || (verb === "import" && rest.includes("--help"))) {
    console.log(USAGE);
    return 0;
  }
  if (verb !== "import") {
    throw new UsageError(
      verb === undefined ? "artifact needs a command" : `unknown artifact command: ${verb}`,
      "use `novacula control-plane artifact import FILE`",
    );
  }
  if (rest.length !== 1 || rest[0]!.startsWith("-")) {
    throw new UsageError(
      `artifact import takes one FILE (got ${rest.length === 0 ? "none" : rest.join(" ")})`,
      "use `novacula control-plane artifact import FILE`",
    );
  }
  const file = resolve(rest[0]!);
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info?.isFile()) {
    throw new UsageError(
      `${file}: ${info ? "not a regular file" : "no such file"}`,
      "give the path of the client file (the archive or binary exactly as upstream publishes it)",
    );
  }
  const config = loadControlPlaneConfig();
  const result = await new ArtifactStore(config.dataDir).importFile(file);
  console.log(result.sha256);
  console.error(
    `${result.stored ? "stored" : "already stored"}: ${result.path} (${result.bytes} bytes); executors asking for sha256 ${result.sha256} are served this file`,
  );
  return 0;
}
