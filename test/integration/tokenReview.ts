// A small stand-in for the Kubernetes API's TokenReview endpoint, on 127.0.0.1. It is the
// `kubernetes_host` of the auth backends under test, so the server's own kubernetes auth
// plugin performs every login: it parses the ServiceAccount JWT, checks the role's bound
// names, namespaces and audience, then asks this endpoint whether the token is genuine.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, Server } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed serving certificate for 127.0.0.1, like an API server's, made with openssl. */
function servingCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "tokenreview-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=kube-apiserver", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

interface Issued extends ServiceAccountRef {
  uid: string;
  audiences: string[];
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export class TokenReviewServer {
  private readonly server: Server;
  private readonly key: KeyObject;
  /** PEM of the CA that signed this endpoint's certificate: the backends' kubernetes_ca_cert. */
  readonly caCert: string;
  private readonly issued = new Map<string, Issued>();
  private readonly uids = new Map<string, string>();
  /** Reviewer bearer tokens allowed to call TokenReview (the auth-delegator binding). */
  readonly reviewers = new Set<string>();
  reviews = 0;

  constructor() {
    this.key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const tls = servingCertificate();
    this.caCert = tls.cert;
    this.server = createServer(tls, (req, res) => {
      void this.handle(req).then(([status, body]) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Mints a projected ServiceAccount token (RS256) the way the kubelet would. */
  mint(sa: ServiceAccountRef, audiences = ["vault"]): string {
    const key = `${sa.namespace}/${sa.name}`;
    const uid = this.uids.get(key) ?? randomUUID();
    this.uids.set(key, uid);
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: "test" };
    const claims = {
      iss: "https://kubernetes.default.svc",
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      aud: audiences,
      iat: now,
      nbf: now,
      exp: now + 600,
      "kubernetes.io": { namespace: sa.namespace, serviceaccount: { name: sa.name, uid } },
    };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${unsigned}.${b64url(sign("RSA-SHA256", Buffer.from(unsigned), this.key))}`;
    this.issued.set(token, { ...sa, uid, audiences });
    return token;
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    if (req.method !== "POST" || req.url !== "/apis/authentication.k8s.io/v1/tokenreviews") return [404, { kind: "Status", code: 404 }];
    this.reviews++;
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!this.reviewers.has(bearer)) {
      return [403, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: "tokenreviews.authentication.k8s.io is forbidden" }];
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { spec: { token: string; audiences?: string[] } };
    const sa = this.issued.get(review.spec.token);
    const wanted = review.spec.audiences ?? [];
    const audiences = sa ? (wanted.length ? sa.audiences.filter((a) => wanted.includes(a)) : sa.audiences) : [];
    const authenticated = sa !== undefined && (wanted.length === 0 || audiences.length > 0);
    return [
      201,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenReview",
        status: authenticated
          ? { authenticated, audiences, user: { username: `system:serviceaccount:${sa!.namespace}:${sa!.name}`, uid: sa!.uid, groups: ["system:serviceaccounts", `system:serviceaccounts:${sa!.namespace}`] } }
          : { authenticated: false, error: "invalid bearer token" },
      },
    ];
  }
}
