// A minimal HTTP/1.1 keep-alive client over Bun.connect for the bench's simulated executors. fetch() costs
// about as much CPU per request as the control plane spends answering it, and on a 2-core machine the
// load generator then takes the CPU the control plane is being measured with. This client writes a
// request as one string and reads responses framed by Content-Length (what the control plane sends);
// one request at a time per connection, reconnecting when the server closed an idle one.
import type { Socket } from "bun";

export interface HttpResponse {
  status: number;
  body: string;
}

interface Pending {
  resolve: (response: HttpResponse) => void;
  reject: (error: Error) => void;
}

const CRLF2 = "\r\n\r\n";

export class HttpConnection {
  private socket: Socket<undefined> | null = null;
  private connecting: Promise<Socket<undefined>> | null = null;
  private pending: Pending | null = null;
  private buffer = "";
  /** Bytes of the request still to write when the socket's buffer was full. */
  private unsent = "";

  constructor(
    private readonly hostname: string,
    private readonly port: number,
  ) {}

  get busy(): boolean {
    return this.pending !== null;
  }

  private connect(): Promise<Socket<undefined>> {
    this.connecting ??= Bun.connect({
      hostname: this.hostname,
      port: this.port,
      socket: {
        data: (_socket, data) => this.onData(data),
        drain: (socket) => this.flushUnsent(socket),
        close: () => this.onClose(new Error("ECONNRESET: the server closed the connection")),
        error: (_socket, error) => this.onClose(error),
      },
    }).then(
      (socket) => {
        this.socket = socket;
        this.connecting = null;
        return socket;
      },
      (error: Error) => {
        this.connecting = null;
        throw error;
      },
    );
    return this.connecting;
  }

  request(method: string, path: string, headers: string, body = ""): Promise<HttpResponse> {
    if (this.pending) return Promise.reject(new Error("one request at a time per connection"));
    const head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostname}\r\n${headers}content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise<HttpResponse>((resolve, reject) => {
      // Busy from now on, also while (re)connecting, so a pool never hands this connection out twice.
      this.pending = { resolve, reject };
      this.buffer = "";
      this.unsent = head + body;
      if (this.socket) {
        this.flushUnsent(this.socket);
        return;
      }
      this.connect().then(
        (socket) => this.flushUnsent(socket),
        (error: Error) => this.fail(error),
      );
    });
  }

  private flushUnsent(socket: Socket<undefined>): void {
    if (!this.unsent) return;
    const written = socket.write(this.unsent);
    this.unsent = written >= this.unsent.length ? "" : this.unsent.slice(Math.max(0, written));
  }

  private onData(data: Buffer): void {
    this.buffer += data.toString("latin1");
    const end = this.buffer.indexOf(CRLF2);
    if (end < 0 || !this.pending) return;
    const head = this.buffer.slice(0, end);
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!match) {
      this.fail(new Error(`response without content-length: ${head.slice(0, 80)}`));
      return;
    }
    const length = Number(match[1]);
    const bodyStart = end + CRLF2.length;
    if (this.buffer.length < bodyStart + length) return;
    const status = Number(head.slice(9, 12));
    // Bodies are JSON; decode them as UTF-8 only once complete (the buffer holds raw bytes as latin1).
    const body = Buffer.from(this.buffer.slice(bodyStart, bodyStart + length), "latin1").toString("utf8");
    this.buffer = this.buffer.slice(bodyStart + length);
    const pending = this.pending;
    this.pending = null;
    pending.resolve({ status, body });
  }

  private onClose(error: Error): void {
    this.socket = null;
    this.fail(error);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    this.buffer = "";
    this.unsent = "";
    this.socket?.end();
    this.socket = null;
    pending?.reject(error);
  }

  close(): void {
    this.socket?.end();
    this.socket = null;
  }
}

/** A few shared keep-alive connections for the short requests of many executors, with a FIFO queue. */
export class HttpPool {
  private connections: HttpConnection[];
  private waiting: (() => void)[] = [];

  constructor(hostname: string, port: number, size: number) {
    this.connections = Array.from({ length: size }, () => new HttpConnection(hostname, port));
  }

  async request(method: string, path: string, headers: string, body = ""): Promise<HttpResponse> {
    let connection = this.connections.find((c) => !c.busy);
    while (!connection) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      connection = this.connections.find((c) => !c.busy);
    }
    try {
      return await connection.request(method, path, headers, body);
    } finally {
      this.waiting.shift()?.();
    }
  }

  close(): void {
    for (const c of this.connections) c.close();
  }
}
