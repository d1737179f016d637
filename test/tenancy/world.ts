// A tenancy test world on a real control plane: a recording GraphQL client (every response is kept for
// the leak check), users made through the real admin and invitation flows, organization A with an owner,
// an admin and a member, organization B of another user, an executor key and personal tokens per role.
// LeakWatch: every secret the world handles (passwords, plaintext keys, session tokens) must appear in
// no log line and no GraphQL response other than the one-time reveal that produced it.
import { expect } from "bun:test";
import { syncBody } from "../control-plane/protocol-client.ts";
import { type ControlPlaneHandle, startControlPlane } from "../harness/control-plane.ts";

export type Auth = { cookie?: string; token?: string };

export class LeakWatch {
  readonly secrets = new Set<string>();
  /** Response bodies: `revealed` is the secret that response may show (a create/rotate/connect answer). */
  readonly responses: { text: string; revealed: Set<string> }[] = [];

  secret(value: string): string {
    if (value.length >= 8) this.secrets.add(value);
    return value;
  }

  /** Fails naming the secret's first characters and where it leaked. */
  assertClean(logs: string[]): void {
    const leaks: string[] = [];
    for (const secret of this.secrets) {
      const label = `${secret.slice(0, 6)}…`;
      if (logs.some((l) => l.includes(secret))) leaks.push(`${label} in the log`);
      for (const r of this.responses) {
        if (!r.revealed.has(secret) && r.text.includes(secret))
          leaks.push(`${label} in a response: ${r.text.slice(0, 200)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(this.secrets.size).toBeGreaterThan(0);
  }
}

export async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/** A control plane whose public URL is its real address (invite links, install commands, origin checks). */
export async function startTenancyPlane(env: Record<string, string> = {}): Promise<ControlPlaneHandle> {
  const port = await freePort();
  return startControlPlane({
    env: { PORT: String(port), BETTER_AUTH_URL: `http://localhost:${port}`, ...env },
  });
}

export interface GqlAnswer {
  status: number;
  data: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  text: string;
}

export class Api {
  constructor(
    readonly cp: ControlPlaneHandle,
    readonly watch = new LeakWatch(),
  ) {
    watch.secret(cp.adminPassword);
  }

  get origin(): string {
    return `http://localhost:${this.cp.port}`;
  }

  async gql(
    query: string,
    variables: Record<string, unknown> = {},
    auth: Auth = {},
    reveal?: (data: any) => string[],
  ) {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "tenancy-test",
    };
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    const response = await fetch(`${this.cp.url}/graphql`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    const json = JSON.parse(text);
    const revealed = new Set<string>(
      json.data && reveal ? reveal(json.data).map((k) => this.watch.secret(k)) : [],
    );
    this.watch.responses.push({ text, revealed });
    return { status: response.status, data: json.data, errors: json.errors, text } as GqlAnswer;
  }

  /** data or a thrown error with the GraphQL errors. */
  async ok(
    query: string,
    variables: Record<string, unknown> = {},
    auth: Auth = {},
    reveal?: (data: any) => string[],
  ) {
    const r = await this.gql(query, variables, auth, reveal);
    if (r.errors?.length) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
    return r.data;
  }

  /** The error code of a GraphQL answer, or "ok". */
  static code(r: GqlAnswer): string {
    return r.errors?.[0]?.extensions?.code ?? (r.errors?.length ? "error" : "ok");
  }

  async auth(path: string, body: unknown, cookie?: string): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json", origin: this.origin };
    if (cookie) headers.cookie = cookie;
    return fetch(`${this.cp.url}/api/auth${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  }

  cookieOf(response: Response): string {
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]!)
      .join("; ");
    for (const part of cookie.split("; ")) this.watch.secret(decodeURIComponent(part.split("=")[1] ?? ""));
    return cookie;
  }

  async signIn(email: string, password: string): Promise<string> {
    this.watch.secret(password);
    const r = await this.auth("/sign-in/email", { email, password });
    if (!r.ok) throw new Error(`sign-in ${email}: ${r.status} ${await r.text()}`);
    return this.cookieOf(r);
  }

  private adminCookie: string | null = null;
  async admin(): Promise<string> {
    this.adminCookie ??= await this.signIn(this.cp.adminEmail, this.cp.adminPassword);
    return this.adminCookie;
  }

  /** A user made by the system admin (gets a personal organization), signed in. */
  async user(name: string): Promise<User> {
    const email = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@tenancy.test`;
    const password = this.watch.secret(`pw-${crypto.randomUUID()}`);
    const r = await this.auth("/admin/create-user", { email, password, name }, await this.admin());
    if (!r.ok) throw new Error(`create-user: ${r.status} ${await r.text()}`);
    const cookie = await this.signIn(email, password);
    const me = (await this.ok("{ me { id organizationId } }", {}, { cookie })).me;
    return { id: me.id, name, email, password, cookie, personalOrgId: me.organizationId };
  }

  /** Invites `who` into the organization `by` works in, accepts, and switches `who` there. */
  async join(by: Auth, who: User, role: "member" | "admin", switchTo = true): Promise<string> {
    const sent = await this.ok(
      "mutation($e: String!, $r: MemberRole!) { inviteMember(input: { email: $e, role: $r }) { inviteLink } }",
      { e: who.email, r: role },
      by,
    );
    const token = String(sent.inviteMember.inviteLink).split("/").pop()!;
    const org = await this.ok(
      "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
      { t: token },
      { cookie: who.cookie },
    );
    const orgId = org.acceptInvitation.id as string;
    if (switchTo)
      await this.ok(
        "mutation($o: ID!) { setActiveOrganization(organizationId: $o) { id } }",
        { o: orgId },
        { cookie: who.cookie },
      );
    return orgId;
  }

  async executorKey(
    auth: Auth,
    name = `k-${crypto.randomUUID().slice(0, 6)}`,
  ): Promise<{ id: string; key: string }> {
    const d = await this.ok(
      "mutation($n: String!) { createApiKey(input: { name: $n }) { key apiKey { id } } }",
      { n: name },
      auth,
      (x) => [x.createApiKey.key],
    );
    return { id: d.createApiKey.apiKey.id, key: d.createApiKey.key };
  }

  async personalToken(auth: Auth, name = "script"): Promise<{ id: string; key: string }> {
    const d = await this.ok(
      "mutation($n: String!) { createPersonalAccessToken(input: { name: $n }) { key apiKey { id } } }",
      { n: name },
      auth,
      (x) => [x.createPersonalAccessToken.key],
    );
    return { id: d.createPersonalAccessToken.apiKey.id, key: d.createPersonalAccessToken.key };
  }

  async sync(key: string, name: string): Promise<{ status: number; executorId?: string }> {
    const r = await fetch(`${this.cp.url}/api/v1/executor/sync`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(syncBody(name)),
    });
    const text = await r.text();
    return { status: r.status, executorId: r.status === 200 ? JSON.parse(text).executorId : undefined };
  }
}

export interface User {
  id: string;
  name: string;
  email: string;
  password: string;
  cookie: string;
  personalOrgId: string;
}

export interface World {
  api: Api;
  owner: User;
  admin: User;
  member: User;
  other: User;
  orgA: string;
  orgB: string;
  executorKey: { id: string; key: string };
  tokens: { owner: string; admin: string; member: string };
}

/** Organization A (owner's personal one) with an admin and a member; B belongs to `other`. */
export async function buildWorld(cp: ControlPlaneHandle): Promise<World> {
  const api = new Api(cp);
  const owner = await api.user("Owner");
  const admin = await api.user("Admin");
  const member = await api.user("Member");
  const other = await api.user("Other");
  const orgA = owner.personalOrgId;
  await api.join({ cookie: owner.cookie }, admin, "admin");
  await api.join({ cookie: owner.cookie }, member, "member");
  const executorKey = await api.executorKey({ cookie: owner.cookie }, "fleet");
  const tokens = {
    owner: (await api.personalToken({ cookie: owner.cookie }, "owner-script")).key,
    admin: (await api.personalToken({ cookie: admin.cookie }, "admin-script")).key,
    member: (await api.personalToken({ cookie: member.cookie }, "member-script")).key,
  };
  return { api, owner, admin, member, other, orgA, orgB: other.personalOrgId, executorKey, tokens };
}
