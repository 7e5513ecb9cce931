// A stand-in for a region's read replica (seed 003: "pull locally, write to the primary") in
// front of the one OpenBao dev server: a second address that forwards everything to the server
// except KV writes, which it refuses the way a replica that cannot take writes does. Every
// request is recorded with the address it came through, so a test can show which traffic the
// stack's config sent where.
import { createServer, request, type Server } from "node:http";

const REPLICA_HOST = "127.0.0.2";

export interface RoutedRequest {
  method: string;
  /** The Vault API path without `/v1/`. */
  path: string;
  status: number;
}

export class ReplicaProxy {
  readonly requests: RoutedRequest[] = [];
  address = "";
  private server?: Server;

  constructor(
    /** The server the replica forwards to, e.g. http://127.0.0.1:8200. */
    private readonly primary: string,
    private readonly kvMount: string,
  ) {}

  /** Writes a replica refuses: anything but a read under the KV mount. Logins and token calls pass. */
  private refuses(method: string, path: string): boolean {
    return path.startsWith(`${this.kvMount}/`) && !["GET", "HEAD", "LIST"].includes(method);
  }

  async start(): Promise<void> {
    const target = new URL(this.primary);
    this.server = createServer((req, res) => {
      const method = req.method ?? "GET";
      const path = (req.url ?? "").replace(/^\/v1\//, "");
      if (this.refuses(method, path)) {
        this.requests.push({ method, path, status: 405 });
        res.writeHead(405, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [`read replica: ${method} ${path} refused, writes go to the primary`] }));
        return;
      }
      const forward = request({ host: target.hostname, port: target.port, method, path: req.url, headers: req.headers }, (answer) => {
        this.requests.push({ method, path, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.once("error", (err) => {
        this.requests.push({ method, path, status: 502 });
        res.writeHead(502);
        res.end(String(err));
      });
      req.pipe(forward);
    });
    // Another loopback address than the primary's (Linux routes all of 127/8 to lo): the replica
    // has its own address, as in spoke-dc-v7's egressCidrs, not just its own port.
    await new Promise<void>((resolve) => this.server!.listen(0, REPLICA_HOST, resolve));
    this.address = `http://${REPLICA_HOST}:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    // The controller keeps connections alive; close() alone would wait for them.
    this.server.closeAllConnections();
    await closed;
  }
}
