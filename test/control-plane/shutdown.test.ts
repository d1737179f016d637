// A stopping control plane exits even when a client holds a request open and never finishes it: requests in
// flight get a grace period, then their connections are closed. Without the bound, `systemctl stop` (or a
// test harness) waited on the stuck client forever.
import { expect, test } from "bun:test";
import { connect } from "node:net";
import { startControlPlane } from "../harness/control-plane.ts";

test("SIGTERM ends the control plane although a client never sends the body it announced", async () => {
  const cp = await startControlPlane();
  const socket = connect({ host: "127.0.0.1", port: cp.port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  // Headers announce 10,000 bytes; only a few arrive, and the client then goes quiet.
  socket.write(
    `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n{"query":`,
  );
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  // Healthy meanwhile: the stuck request holds nobody else up.
  expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
  expect(await cp.stop()).toBe(0);
  await closed;
}, 60_000);
