// Whether a TCP port can be bound right now: checked before starting a client, so that "port already in use"
// becomes an actionable message on the node instead of a crash loop in a log nobody reads.
import { createServer } from "node:net";
import type { PortSpec } from "../../../adapters/types.ts";

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port of `ports` that something else already holds, or null when all are free. */
export async function firstBusyPort(ports: readonly PortSpec[]): Promise<PortSpec | null> {
  for (const port of ports) {
    if (port.protocol !== "tcp") continue;
    const host = port.exposure === "public" ? "0.0.0.0" : "127.0.0.1";
    if (!(await canBind(host, port.port))) return port;
  }
  return null;
}
