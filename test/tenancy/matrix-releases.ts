// Authorization matrix rows of the executor release catalog: the catalog is global and read by everyone
// signed in (empty in the matrix world, which publishes no release), only system admins change it, and
// owners and admins request or cancel an upgrade of their own organization's executors (another
// organization's executor is not_found). An allowed request reaches the catalog check: release_not_found.
import { manage, ownerAuth, type Row, read, systemOnly } from "./matrix-kit.ts";

const EVERYONE_EMPTY: Row["expect"] = {
  ...read("empty"),
  owner: "empty",
  admin: "empty",
  member: "empty",
  patOwner: "empty",
  patAdmin: "empty",
  patMember: "empty",
};

const ARTIFACT = `{ platform: "linux-x64", sha256: "${"a".repeat(64)}", signature: "x" }`;

/** A freshly synced (so online) executor of organization A. */
async function onlineExecutor(c: Parameters<NonNullable<Row["vars"]>>[0]) {
  const key = await c.w.api.executorKey(ownerAuth(c));
  const synced = await c.w.api.sync(key.key, `up-${crypto.randomUUID().slice(0, 6)}`);
  return { id: synced.executorId };
}

export const RELEASE_ROWS: Row[] = [
  { op: "Query.executorReleases", doc: "{ executorReleases { id } }", expect: EVERYONE_EMPTY },
  {
    op: "Query.executorUpgradeCandidates",
    doc: "query($id: ID!) { executorUpgradeCandidates(executorId: $id) { currentVersion } }",
    vars: (c) => ({ id: c.executorId }),
    expect: read("empty"),
  },
  {
    op: "Mutation.createExecutorRelease",
    doc: `mutation { createExecutorRelease(data: { kind: agent, version: "9.0.0", channel: stable, artifacts: [${ARTIFACT}] }) { id } }`,
    expect: systemOnly,
  },
  {
    op: "Mutation.updateExecutorRelease",
    doc: 'mutation { updateExecutorRelease(where: { id: "r" }, data: { notes: "x" }) { id } }',
    expect: systemOnly,
  },
  {
    op: "Mutation.yankExecutorRelease",
    doc: 'mutation { yankExecutorRelease(where: { id: "r" }) { id } }',
    expect: systemOnly,
  },
  {
    op: "Mutation.deleteExecutorRelease",
    doc: 'mutation { deleteExecutorRelease(where: { id: "r" }) { id } }',
    expect: systemOnly,
  },
  {
    op: "Mutation.requestExecutorUpgrade",
    doc: 'mutation($id: ID!) { requestExecutorUpgrade(executorId: $id, targetVersion: "9.9.9") { id } }',
    vars: onlineExecutor,
    expect: manage("not_found", {
      owner: "release_not_found",
      admin: "release_not_found",
      patOwner: "release_not_found",
      patAdmin: "release_not_found",
    }),
  },
  {
    op: "Mutation.cancelExecutorUpgrade",
    doc: "mutation($id: ID!) { cancelExecutorUpgrade(executorId: $id) { id } }",
    vars: (c) => ({ id: c.executorId }),
    expect: manage("not_found"),
  },
];
