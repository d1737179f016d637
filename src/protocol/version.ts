// The version of this binary, stamped from package.json at build time (bun inlines the JSON import).
import pkg from "../../package.json" with { type: "json" };

export const NOVACULA_VERSION: string = pkg.version;
