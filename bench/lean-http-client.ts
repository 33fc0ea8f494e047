import net from "node:net";

/*
 * A minimal HTTP/1.1 client for the load generators: keep-alive connections, one request at a
 * time on each, answers framed by Content-Length (what the hot routes send). It exists because
 * the client shares the 2-core machine with the server and PostgreSQL: node:http's client costs
 * ~0.26 ms of CPU per request here, this one ~0.16 ms, and every microsecond it spends is taken
 * from the server being measured. Like wrk or autocannon, not a general client: no chunked
 * answers, no redirects, no TLS.
 */

export type LeanAnswer = { status: number; body: string; retryAfterSeconds?: number };

type Job = { raw: string; resolve: (answer: LeanAnswer) => void; reject: (error: Error) => void };

type Connection = { socket: net.Socket; buffer: Buffer; job: Job | null; timer: NodeJS.Timeout | null; served: number; idleSinceMs: number };

export type LeanHttpClient = {
  post(path: string, headers: Record<string, string>, body: string): Promise<LeanAnswer>;
  close(): void;
};

/** Below the server's keep-alive timeout (Node's default, 5 s), as HTTP clients' free-socket timeouts are. */
const idleReuseMs = 4_000;

export function createLeanHttpClient(origin: string, options: { connectionsMax: number; timeoutMs: number }): LeanHttpClient {
  const { hostname, port } = new URL(origin);
  const idle: Connection[] = [];
  const queue: Job[] = [];
  const all = new Set<Connection>();

  function fail(connection: Connection, error: Error): void {
    if (!all.has(connection)) return;
    all.delete(connection);
    const index = idle.indexOf(connection);
    if (index !== -1) idle.splice(index, 1);
    if (connection.timer) clearTimeout(connection.timer);
    connection.job?.reject(new Error(`${error.message} (after ${connection.served} answers on this connection, idle ${Math.round(performance.now() - connection.idleSinceMs)} ms before the request)`));
    connection.job = null;
    connection.socket.destroy();
    // A queued request gets a fresh connection.
    const next = queue.shift();
    if (next) start(open(), next);
  }

  function open(): Connection {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
    const connection: Connection = { socket, buffer: Buffer.alloc(0), job: null, timer: null, served: 0, idleSinceMs: performance.now() };
    all.add(connection);
    socket.on("data", (chunk: Buffer) => {
      connection.buffer = connection.buffer.length === 0 ? chunk : Buffer.concat([connection.buffer, chunk]);
      const headEnd = connection.buffer.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const head = connection.buffer.toString("latin1", 0, headEnd);
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? "NaN");
      if (!Number.isFinite(length)) return fail(connection, new Error(`answer without Content-Length: ${head.split("\r\n")[0]}`));
      if (connection.buffer.length < headEnd + 4 + length) return;
      const status = Number(head.slice(9, 12));
      const retryAfter = status === 503 || status === 429 ? /\r\nretry-after:\s*(\d+)/i.exec(head)?.[1] : undefined;
      const answer: LeanAnswer = { status, body: connection.buffer.toString("utf8", headEnd + 4, headEnd + 4 + length), ...(retryAfter ? { retryAfterSeconds: Number(retryAfter) } : {}) };
      connection.buffer = connection.buffer.subarray(headEnd + 4 + length);
      const job = connection.job;
      connection.job = null;
      connection.served++;
      connection.idleSinceMs = performance.now();
      if (connection.timer) clearTimeout(connection.timer);
      // The server asked to close (a refused body, shutting down): never reuse it.
      if (/\r\nconnection:\s*close/i.test(head)) {
        fail(connection, new Error("connection closed by the server"));
        job?.resolve(answer);
        return;
      }
      const next = queue.shift();
      if (next) start(connection, next);
      else idle.push(connection);
      job?.resolve(answer);
    });
    socket.on("error", (error) => fail(connection, error));
    // The server ended the connection (its keep-alive timeout): drop it before a request is written to it.
    socket.on("end", () => fail(connection, new Error("connection closed by the server")));
    socket.on("close", () => fail(connection, new Error("connection closed by the server")));
    return connection;
  }

  function start(connection: Connection, job: Job): void {
    // An idle connection the server may be about to close (Node's keep-alive timeout is 5 s) is not reused.
    if (connection.served > 0 && performance.now() - connection.idleSinceMs > idleReuseMs) {
      fail(connection, new Error("idle too long"));
      start(open(), job);
      return;
    }
    connection.job = job;
    connection.timer = setTimeout(() => fail(connection, new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    connection.socket.write(job.raw);
  }

  return {
    post(path, headers, body) {
      let raw = `POST ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
      for (const [name, value] of Object.entries(headers)) raw += `${name}: ${value}\r\n`;
      raw += `\r\n${body}`;
      return new Promise<LeanAnswer>((resolve, reject) => {
        const job = { raw, resolve, reject };
        const connection = idle.pop() ?? (all.size < options.connectionsMax ? open() : undefined);
        if (connection) start(connection, job);
        else queue.push(job);
      });
    },
    close() {
      for (const connection of all) connection.socket.destroy();
      all.clear();
      idle.length = 0;
    },
  };
}
