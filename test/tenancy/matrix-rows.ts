// The rows of the authorization matrix (reference §2): one per GraphQL operation, with the outcome for
// each caller. ok = allowed (a read with data); empty = null or [] (out-of-scope reads never 403);
// forbidden / unauthenticated / not_found / conflict = the typed error. `other` is the owner of another
// organization acting in their own: targeted calls on A's ids are not_found, untargeted ones act in B.
import { DEVNET_SPEC } from "../control-plane/protocol-client.ts";
import { CATALOG_ROWS } from "./matrix-catalog.ts";
import {
  freshInvitation,
  freshKey,
  freshNode,
  manage,
  memberIdOf,
  ownerAuth,
  type Row,
  read,
  sessionOnly,
  systemOnly,
  userOf,
} from "./matrix-kit.ts";
import { NOTIFICATION_ROWS } from "./matrix-notifications.ts";
import { RELEASE_ROWS } from "./matrix-releases.ts";

export { type MatrixContext, PRINCIPALS, type Principal } from "./matrix-kit.ts";

const NODE_FIELDS = "{ id revision }";

/** System administrators only: everyone else, whatever their role, reads an empty list. */
const SYSTEM_READ: Row["expect"] = {
  ...read("empty"),
  owner: "empty",
  admin: "empty",
  member: "empty",
  patOwner: "empty",
  patAdmin: "empty",
  patMember: "empty",
};

export const MATRIX: Row[] = [
  // ---- Queries ----
  { op: "Query.me", doc: "{ me { id } }", expect: read("ok") },
  { op: "Query.executors", doc: "{ executors { id } }", expect: read("empty") },
  {
    op: "Query.executor",
    doc: "query($id: ID!) { executor(where: { id: $id }) { id } }",
    vars: (c) => ({ id: c.executorId }),
    expect: read("empty"),
  },
  { op: "Query.nodes", doc: "{ nodes { id } }", expect: read("empty") },
  {
    op: "Query.node",
    doc: "query($id: ID!) { node(where: { id: $id }) { id } }",
    vars: (c) => ({ id: c.nodeId }),
    expect: read("empty"),
  },
  {
    op: "Query.nodeMetricHistory",
    doc: "query($id: ID!, $from: DateTime!) { nodeMetricHistory(nodeId: $id, from: $from) { nodeId } }",
    vars: (c) => ({ id: c.nodeId, from: new Date(Date.now() - 3_600_000).toISOString() }),
    expect: read("empty"),
  },
  { op: "Query.events", doc: "{ events { id } }", expect: read("empty") },
  { op: "Query.organization", doc: "{ organization { id } }", expect: read("ok") },
  { op: "Query.organizations", doc: "{ organizations { id } }", expect: read("ok") },
  { op: "Query.adminOrganizations", doc: "{ adminOrganizations { id } }", expect: SYSTEM_READ },
  {
    op: "Query.adminOrganizationsOverview",
    doc: "{ adminOrganizationsOverview { organization { id } nodeCount } }",
    expect: SYSTEM_READ,
  },
  {
    op: "Query.adminOrganizationMembers",
    doc: "query($o: ID!) { adminOrganizationMembers(organizationId: $o) { id email } }",
    vars: (c) => ({ o: c.w.orgA }),
    expect: SYSTEM_READ,
  },
  { op: "Query.members", doc: "{ members { id } }", expect: read("ok") },
  { op: "Query.invitations", doc: "{ invitations { id } }", expect: read("empty") },
  { op: "Query.sessions", doc: "{ sessions { id } }", expect: read("ok") },
  { op: "Query.apiKeys", doc: "{ apiKeys { id } }", expect: read("empty") },
  { op: "Query.auditActions", doc: "{ auditActions { nodes { id } } }", expect: read("ok") },
  // A dry run of createNode: managers only; another organization's executor reads as not found inside the answer.
  {
    op: "Query.checkNode",
    doc: "query($d: NodeCreateInput!) { checkNode(data: $d) { ok code } }",
    vars: (c) => ({ d: { executorId: c.executorId, spec: DEVNET_SPEC } }),
    expect: manage("ok"),
  },
  // What this build's adapter offers for a chain: no organization's data.
  { op: "Query.chainFormHints", doc: '{ chainFormHints(chain: "devnet") { ports } }', expect: read("ok") },
  // ---- Organizations ----
  {
    op: "Mutation.createOrganization",
    doc: 'mutation { createOrganization(input: { name: "Side project" }) { id } }',
    expect: { ...read("ok"), executor: "forbidden" },
  },
  {
    op: "Mutation.updateOrganization",
    doc: 'mutation { updateOrganization(input: { logo: "https://example.com/logo.png" }) { id } }',
    expect: manage("ok"),
  },
  {
    op: "Mutation.deactivateOrganization",
    doc: "mutation { deactivateOrganization { id } }",
    expect: manage("ok", { admin: "forbidden", patAdmin: "forbidden" }),
    after: async (c, a) => {
      const id = a.data.deactivateOrganization.id;
      await c.w.api.ok(
        "mutation($o: ID!) { adminSetOrganizationActive(organizationId: $o, active: true) { id } }",
        { o: id },
        { cookie: c.admin },
      );
    },
  },
  {
    op: "Mutation.setActiveOrganization",
    doc: "mutation($o: ID!) { setActiveOrganization(organizationId: $o) { id } }",
    vars: (c) => ({ o: c.w.orgA }),
    expect: sessionOnly("not_found"),
  },
  {
    op: "Mutation.leaveOrganization",
    doc: "mutation { leaveOrganization }",
    expect: { ...manage("conflict"), owner: "conflict", member: "ok", patOwner: "conflict", patMember: "ok" },
    after: async (c) => {
      const u = userOf(c)!;
      await c.w.api.join(ownerAuth(c), u, u === c.w.admin ? "admin" : "member");
    },
  },
  {
    op: "Mutation.adminSetOrganizationActive",
    doc: "mutation($o: ID!) { adminSetOrganizationActive(organizationId: $o, active: true) { id } }",
    vars: (c) => ({ o: c.w.orgA }),
    expect: systemOnly,
  },
  {
    op: "Mutation.adminUpdateOrganizationMemberRole",
    doc: "mutation($o: ID!, $u: ID!) { adminUpdateOrganizationMemberRole(organizationId: $o, userId: $u, role: member) { id } }",
    vars: (c) => ({ o: c.w.orgA, u: c.w.member.id }),
    expect: systemOnly,
  },
  // ---- Members and invitations ----
  {
    op: "Mutation.inviteMember",
    doc: "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { invitation { id } } }",
    vars: () => ({ e: `new-${crypto.randomUUID().slice(0, 8)}@tenancy.test` }),
    expect: manage("ok"),
  },
  {
    op: "Mutation.resendInvitation",
    doc: "mutation($id: ID!) { resendInvitation(id: $id) { delivery } }",
    vars: async (c) => ({ id: await freshInvitation(c) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.cancelInvitation",
    doc: "mutation($id: ID!) { cancelInvitation(id: $id) { status } }",
    vars: async (c) => ({ id: await freshInvitation(c) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.acceptInvitation",
    doc: "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
    vars: async (c) => {
      const u = userOf(c);
      if (!u || c.expected !== "ok") return { t: "not-a-real-invitation-token" };
      // An invitation from the Default organization (the system admin's) to the caller's own email.
      const sent = await c.w.api.ok(
        "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { inviteLink } }",
        { e: u.email },
        { cookie: c.admin },
      );
      return { t: String(sent.inviteMember.inviteLink).split("/").pop() };
    },
    expect: sessionOnly("ok"),
  },
  {
    op: "Mutation.updateMemberRole",
    doc: "mutation($m: ID!) { updateMemberRole(memberId: $m, role: member) { id role } }",
    vars: async (c) => ({ m: await memberIdOf(c, c.spare.id) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.transferOwnership",
    doc: "mutation($m: ID!) { transferOwnership(memberId: $m) { id role } }",
    vars: async (c) => ({ m: await memberIdOf(c, c.spare.id) }),
    expect: manage("not_found", { admin: "forbidden", patAdmin: "forbidden" }),
    // The spare member, now owner, hands ownership back and is a plain member again.
    after: async (c) => {
      const ownerMember = await memberIdOf(c, c.w.owner.id);
      await c.w.api.ok(
        "mutation($m: ID!) { transferOwnership(memberId: $m) { id } }",
        { m: ownerMember },
        { cookie: c.spare.cookie },
      );
      await c.w.api.ok(
        "mutation($m: ID!) { updateMemberRole(memberId: $m, role: member) { id } }",
        { m: await memberIdOf(c, c.spare.id) },
        ownerAuth(c),
      );
    },
  },
  {
    op: "Mutation.removeMember",
    doc: "mutation($m: ID!) { removeMember(memberId: $m) { id } }",
    vars: async (c) => {
      if (c.expected !== "ok") return { m: await memberIdOf(c, c.spare.id) };
      const target = await c.w.api.user("Leaver");
      await c.w.api.join(ownerAuth(c), target, "member", false);
      return { m: await memberIdOf(c, target.id) };
    },
    expect: manage("not_found"),
  },
  // ---- Account ----
  {
    op: "Mutation.revokeSession",
    doc: "mutation($id: ID!) { revokeSession(id: $id) }",
    vars: async (c) => {
      const u = userOf(c);
      if (!u || c.expected !== "ok") return { id: "00000000-0000-0000-0000-000000000000" };
      const cookie = await c.w.api.signIn(u.email, u.password);
      const sessions = (await c.w.api.ok("{ sessions { id current } }", {}, { cookie })).sessions;
      return { id: sessions.find((s: { current: boolean }) => s.current).id };
    },
    expect: sessionOnly("ok"),
  },
  { op: "Mutation.revokeOtherSessions", doc: "mutation { revokeOtherSessions }", expect: sessionOnly("ok") },
  {
    op: "Mutation.changePassword",
    doc: "mutation($c: String!, $n: String!) { changePassword(input: { currentPassword: $c, newPassword: $n }) }",
    vars: (c) => {
      const pw = userOf(c)?.password ?? "irrelevant-password";
      return { c: pw, n: pw };
    },
    expect: sessionOnly("ok"),
  },
  {
    op: "Mutation.updateProfile",
    doc: 'mutation { updateProfile(name: "Renamed") { id } }',
    expect: { ...read("ok"), executor: "forbidden" },
  },
  // ---- API keys ----
  {
    op: "Mutation.createApiKey",
    doc: 'mutation { createApiKey(input: { name: "ci" }) { key } }',
    expect: manage("ok"),
    reveals: (d) => [d.createApiKey.key],
  },
  {
    op: "Mutation.createPersonalAccessToken",
    doc: 'mutation { createPersonalAccessToken(input: { name: "laptop", expiresInDays: 30 }) { key } }',
    expect: sessionOnly("ok"),
    reveals: (d) => [d.createPersonalAccessToken.key],
  },
  {
    op: "Mutation.rotateApiKey",
    doc: "mutation($id: ID!) { rotateApiKey(id: $id) { key } }",
    vars: async (c) => ({ id: await freshKey(c) }),
    expect: manage("not_found"),
    reveals: (d) => [d.rotateApiKey.key],
  },
  {
    op: "Mutation.disableApiKey",
    doc: "mutation($id: ID!) { disableApiKey(id: $id) { status } }",
    vars: async (c) => ({ id: await freshKey(c) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.enableApiKey",
    doc: "mutation($id: ID!) { enableApiKey(id: $id) { status } }",
    vars: async (c) => ({ id: await freshKey(c) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.revokeApiKey",
    doc: "mutation($id: ID!) { revokeApiKey(id: $id) { status } }",
    vars: async (c) => ({ id: await freshKey(c) }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.deleteApiKey",
    doc: "mutation($id: ID!) { deleteApiKey(id: $id) { id } }",
    vars: async (c) => {
      const id = await freshKey(c);
      await c.w.api.ok("mutation($id: ID!) { revokeApiKey(id: $id) { id } }", { id }, ownerAuth(c));
      return { id };
    },
    expect: manage("not_found"),
  },
  // ---- Executors ----
  {
    op: "Mutation.connectExecutor",
    doc: 'mutation { connectExecutor(input: { kind: agent, name: "edge-1" }) { key installCommand } }',
    expect: manage("ok"),
    reveals: (d) => [d.connectExecutor.key],
  },
  {
    op: "Mutation.deleteExecutor",
    doc: "mutation($id: ID!) { deleteExecutor(where: { id: $id }) { id } }",
    vars: async (c) => {
      const key = await c.w.api.executorKey(ownerAuth(c));
      const synced = await c.w.api.sync(key.key, `gone-${crypto.randomUUID().slice(0, 6)}`);
      return { id: synced.executorId };
    },
    expect: manage("not_found"),
  },
  // ---- Nodes (the same matrix) ----
  {
    op: "Mutation.createNode",
    doc: `mutation($d: NodeCreateInput!) { createNode(data: $d) ${NODE_FIELDS} }`,
    vars: (c) => ({
      d: { executorId: c.executorId, name: `m-${crypto.randomUUID().slice(0, 8)}`, spec: DEVNET_SPEC },
    }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.updateNode",
    doc: `mutation($id: ID!, $s: JSON!) { updateNode(where: { id: $id }, data: { spec: $s }) ${NODE_FIELDS} }`,
    vars: (c) => ({ id: c.nodeId, s: DEVNET_SPEC }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.requestNodeLifecycleAction",
    doc: `mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: restart) ${NODE_FIELDS} }`,
    vars: (c) => ({ id: c.nodeId }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.requestNodesLifecycleAction",
    doc: `mutation($ids: [ID!]!) { requestNodesLifecycleAction(ids: $ids, action: restart) ${NODE_FIELDS} }`,
    vars: (c) => ({ ids: [c.nodeId] }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.rollbackNode",
    doc: `mutation($id: ID!) { rollbackNode(id: $id, revision: 1) ${NODE_FIELDS} }`,
    vars: (c) => ({ id: c.nodeId }),
    expect: manage("not_found"),
  },
  {
    op: "Mutation.deleteNode",
    doc: `mutation($id: ID!) { deleteNode(where: { id: $id }) ${NODE_FIELDS} }`,
    vars: async (c) => ({ id: await freshNode(c) }),
    expect: manage("not_found"),
  },
  ...NOTIFICATION_ROWS,
  ...CATALOG_ROWS,
  ...RELEASE_ROWS,
];
