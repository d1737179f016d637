// Building blocks of the authorization matrix: the callers, the outcome vocabulary, the usual outcome
// patterns of reference §2 (read, manage, own account, system admin) and fresh targets for calls that
// change what they touch.
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import type { GqlAnswer, User, World } from "./world.ts";

export const PRINCIPALS = [
  "owner",
  "admin",
  "member",
  "other",
  "anonymous",
  "executor",
  "patOwner",
  "patAdmin",
  "patMember",
] as const;
export type Principal = (typeof PRINCIPALS)[number];
export type Outcome =
  | "ok"
  | "empty"
  | "forbidden"
  | "unauthenticated"
  | "not_found"
  | "conflict"
  | "release_not_found";
export type Expect = Record<Principal, Outcome>;

export interface MatrixContext {
  w: World;
  spare: User;
  executorId: string;
  nodeId: string;
  /** The system admin's session (owner of the Default organization). */
  admin: string;
  p: Principal;
  expected: Outcome;
}

export interface Row {
  op: string;
  doc: string;
  vars?: (c: MatrixContext) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: Expect;
  /** Secrets a successful answer reveals once (plaintext keys). */
  reveals?: (data: any) => string[];
  /** Restores the world after an allowed call changed it. */
  after?: (c: MatrixContext, answer: GqlAnswer) => Promise<void>;
}

export const U = "unauthenticated";
/** Reads: every member and their tokens see it; others as given. */
export const read = (other: Outcome, executor: Outcome = "empty", extra: Partial<Expect> = {}): Expect => ({
  owner: "ok",
  admin: "ok",
  member: "ok",
  other,
  anonymous: U,
  executor,
  patOwner: "ok",
  patAdmin: "ok",
  patMember: "ok",
  ...extra,
});
/** Owner/admin mutations; `other` acts in their own organization (ok) or targets A's ids (not_found). */
export const manage = (other: Outcome, extra: Partial<Expect> = {}): Expect => ({
  owner: "ok",
  admin: "ok",
  member: "forbidden",
  other,
  anonymous: U,
  executor: "forbidden",
  patOwner: "ok",
  patAdmin: "ok",
  patMember: "forbidden",
  ...extra,
});
/** Own-account changes that need a signed-in session (a token may not make them). */
export const sessionOnly = (other: Outcome = "ok"): Expect => ({
  owner: "ok",
  admin: "ok",
  member: "ok",
  other,
  anonymous: U,
  executor: "forbidden",
  patOwner: "forbidden",
  patAdmin: "forbidden",
  patMember: "forbidden",
});
export const systemOnly: Expect = {
  owner: "forbidden",
  admin: "forbidden",
  member: "forbidden",
  other: "forbidden",
  anonymous: U,
  executor: "forbidden",
  patOwner: "forbidden",
  patAdmin: "forbidden",
  patMember: "forbidden",
};

export const userOf = (c: MatrixContext): User | null => {
  const name = {
    owner: "owner",
    admin: "admin",
    member: "member",
    other: "other",
    patOwner: "owner",
    patAdmin: "admin",
    patMember: "member",
  }[c.p as string] as "owner" | "admin" | "member" | "other" | undefined;
  return name ? c.w[name] : null;
};
export const ownerAuth = (c: MatrixContext) => ({ cookie: c.w.owner.cookie });
export const freshKey = async (c: MatrixContext) => (await c.w.api.executorKey(ownerAuth(c))).id;
export const freshInvitation = async (c: MatrixContext) =>
  (
    await c.w.api.ok(
      "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { invitation { id } } }",
      { e: `guest-${crypto.randomUUID().slice(0, 8)}@tenancy.test` },
      ownerAuth(c),
    )
  ).inviteMember.invitation.id;
export const memberIdOf = async (c: MatrixContext, userId: string) =>
  (
    (await c.w.api.ok("{ members { id userId } }", {}, ownerAuth(c))).members as {
      id: string;
      userId: string;
    }[]
  ).find((m) => m.userId === userId)!.id;
export const freshNode = async (c: MatrixContext) =>
  (
    await c.w.api.ok(
      "mutation($d: NodeCreateInput!) { createNode(data: $d) { id } }",
      { d: { executorId: c.executorId, name: `n-${crypto.randomUUID().slice(0, 8)}`, spec: DEVNET_SPEC } },
      ownerAuth(c),
    )
  ).createNode.id;
