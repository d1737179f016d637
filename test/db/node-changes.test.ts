// The change cursor's sequence table keeps one row: every spec write still gets a larger change_seq than
// the last (executors long-poll on it), and node_changes does not grow with every revision ever written.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { createNode, syncExecutor } from "../control-plane/protocol-client.ts";
import { startControlPlane } from "../harness/control-plane.ts";

test("node_changes keeps only the newest row while change_seq keeps growing", async () => {
  const cp = await startControlPlane();
  try {
    const cookie = await cp.adminSession();
    const key = await cp.createExecutorKey("seq");
    const { executorId } = await syncExecutor(cp, key, "host-seq");
    const node = await createNode(cp, cookie, executorId, "seq-node");
    const db = new Database(join(cp.dataDir, "cp.db"), { readonly: true });
    const changeSeq = () =>
      db.query<{ s: number }, [string]>("SELECT change_seq AS s FROM nodes WHERE id = ?").get(node.id)!.s;
    const seqs = [changeSeq()];
    for (let i = 0; i < 3; i++) {
      const result = await cp.gql(
        "mutation($id: ID!) { requestNodeLifecycleAction(id: $id, action: restart) { revision } }",
        { id: node.id },
        { cookie },
      );
      expect(result.data.requestNodeLifecycleAction.revision).toBe(i + 2);
      seqs.push(changeSeq());
    }
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
    const rows = db
      .query<{ n: number; top: number }, []>("SELECT count(*) AS n, max(seq) AS top FROM node_changes")
      .get()!;
    expect(rows).toEqual({ n: 1, top: seqs.at(-1)! });
    db.close();
  } finally {
    await cp.stop();
  }
}, 60_000);
