// Raw HTTP on a socket, as a hostile client writes it: no Host header, conflicting framing, a NUL in a
// header, a 64 KiB header, oversize and dripped bodies. Each gets a 4xx — with the documented error
// envelope wherever the control plane answers — and the control plane keeps serving.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { EXECUTOR_ID_HEADER } from "../../src/protocol/index.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";
import { call, syncExecutor } from "./protocol-client.ts";

let cp: ControlPlaneHandle;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp.stop());

interface RawAnswer {
  status: number;
  body: string;
}

/** Writes `request`, reads until the server closes or has answered in full. */
async function raw(request: string): Promise<RawAnswer> {
  const chunks: Buffer[] = [];
  const closed = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port: cp.port,
    socket: {
      data(_s, data) {
        chunks.push(Buffer.from(data));
        const text = Buffer.concat(chunks).toString("latin1");
        const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
        const head = text.indexOf("\r\n\r\n");
        if (head >= 0 && (!length || text.length - head - 4 >= Number(length[1]))) closed.resolve();
      },
      close: () => closed.resolve(),
      error: () => closed.resolve(),
    },
  });
  socket.write(request);
  const timeout = setTimeout(() => closed.resolve(), 20_000);
  await closed.promise;
  clearTimeout(timeout);
  socket.end();
  const text = Buffer.concat(chunks).toString("latin1");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

const envelope = (answer: RawAnswer) =>
  JSON.parse(answer.body) as { code: string; details: { path: string }[] };

async function stillServes() {
  expect(await call(cp, "/healthz")).toEqual({ status: 200, json: { status: "ok" } });
}

describe("requests the control plane answers get the envelope", () => {
  test("HTTP/1.0 without a Host header is a 400 naming the header, on every route", async () => {
    for (const [method, path, body] of [
      ["GET", "/healthz", ""],
      ["GET", "/api/auth/get-session", ""],
      ["POST", "/graphql", '{"query":"{ me { id } }"}'],
      ["POST", "/api/v1/executor/sync", "{}"],
    ]) {
      const answer = await raw(
        `${method} ${path} HTTP/1.0\r\ncontent-type: application/json\r\ncontent-length: ${body!.length}\r\n\r\n${body}`,
      );
      expect(answer.status).toBe(400);
      expect(envelope(answer)).toMatchObject({ code: "bad_request", details: [{ path: "/headers/host" }] });
    }
    await stillServes();
  });

  test("a 64 KiB header is a 431 with the envelope", async () => {
    const answer = await raw(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(envelope(answer)).toMatchObject({ code: "bad_request", details: [{ path: "/headers" }] });
    await stillServes();
  });

  test("a declared 200 MiB body is a 413 with the envelope before it is read, on every route", async () => {
    for (const path of ["/graphql", "/api/v1/executor/sync", "/api/auth/sign-in/email"]) {
      const answer = await raw(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nContent-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n{`,
      );
      expect(answer.status).toBe(413);
      expect(envelope(answer).code).toBe("payload_too_large");
    }
    await stillServes();
  });

  test("a chunked body past the limit is a 413 with the envelope (GraphQL: the code in errors[])", async () => {
    const key = await cp.createExecutorKey("chunked");
    const { executorId } = await syncExecutor(cp, key, "host-chunked");
    const chunk = `100000\r\n${"a".repeat(0x100000)}\r\n`;
    const chunked = (path: string, extra = "") =>
      raw(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nContent-Type: application/json\r\n${extra}Transfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`,
      );
    const signIn = await chunked("/api/auth/sign-in/email");
    const observed = await chunked(
      "/api/v1/executor/observed",
      `Authorization: Bearer ${key}\r\n${EXECUTOR_ID_HEADER}: ${executorId}\r\n`,
    );
    for (const answer of [signIn, observed]) {
      expect(answer.status).toBe(413);
      expect(envelope(answer).code).toBe("payload_too_large");
    }
    const graphql = await chunked("/graphql");
    expect(graphql.status).toBe(413);
    expect(JSON.parse(graphql.body).errors[0].extensions.code).toBe("payload_too_large");
    await stillServes();
  });
});

describe("malformed framing Bun's parser refuses still gets a 4xx and harms nothing", () => {
  test("conflicting Content-Length and Transfer-Encoding", async () => {
    const answer = await raw(
      `POST /api/v1/executor/sync HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    await stillServes();
  });

  test("a NUL in a header", async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nX-A: a\0b\r\n\r\n`);
    expect(answer.status).toBe(400);
    await stillServes();
  });

  test("a body dripped one byte a second does not hold up anyone else", async () => {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: cp.port, socket: { data() {} } });
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${cp.port}\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n`,
    );
    for (const byte of '{"query"') {
      const next = Bun.sleep(1_000);
      socket.write(byte);
      await stillServes();
      await next;
    }
    socket.end();
    await stillServes();
  }, 30_000);
});
