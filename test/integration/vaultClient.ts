// A minimal Vault/OpenBao HTTP API client: status codes matter to the tests, so nothing is thrown for 4xx.
export interface VaultResponse {
  status: number;
  body: Record<string, any>;
}

export class VaultClient {
  constructor(
    readonly address: string,
    readonly token?: string,
  ) {}

  withToken(token: string): VaultClient {
    return new VaultClient(this.address, token);
  }

  async request(method: string, path: string, body?: unknown): Promise<VaultResponse> {
    const res = await fetch(`${this.address}/v1/${path}`, {
      method,
      headers: { ...(this.token ? { "X-Vault-Token": this.token } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  }

  /** Like request, but a non-2xx answer is a test setup failure. */
  async must(method: string, path: string, body?: unknown): Promise<Record<string, any>> {
    const r = await this.request(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
