// Authenticates executor requests: `Authorization: Bearer exc_…`, the key's organization active, and
// (after /sync) the executor named by EXECUTOR_ID_HEADER belonging to that organization. Unknown,
// disabled, revoked and expired keys all get the same 401 body.
import type { Statement } from "bun:sqlite";
import type { Db } from "../../../db/client.ts";
import type { Clock } from "../../../lib/clock.ts";
import { AppError, badRequest, unauthenticated } from "../../../lib/errors.ts";
import { EXECUTOR_ID_HEADER } from "../../../protocol/index.ts";
import type { ApiKeyService, KeyRow } from "./api-keys.ts";

const INVALID_KEY = "the executor key is missing, unknown, disabled, revoked or expired";

export class ExecutorAuth {
  private orgActive: Statement<{ active: number }, [string]>;
  private executorOrg: Statement<
    { organization_id: string; name: string; deleted_at: number | null },
    [string]
  >;

  constructor(
    db: Db,
    private readonly keys: ApiKeyService,
    private readonly clock: Clock,
  ) {
    this.orgActive = db.$client.prepare("SELECT active FROM organization WHERE id = ?");
    this.executorOrg = db.$client.prepare(
      "SELECT organization_id, name, deleted_at FROM executors WHERE id = ?",
    );
  }

  key(request: Request): KeyRow {
    const header = request.headers.get("authorization") ?? "";
    const match = /^Bearer (\S+)$/.exec(header);
    const row = match ? this.keys.verify(match[1]!, "executor", this.clock.now()) : null;
    if (!row || this.orgActive.get(row.organizationId)?.active !== 1) throw unauthenticated(INVALID_KEY);
    return row;
  }

  /** The key plus the executor it speaks for. */
  executor(request: Request): { key: KeyRow; executorId: string; executorName: string } {
    const key = this.key(request);
    const executorId = request.headers.get(EXECUTOR_ID_HEADER);
    if (!executorId) {
      throw badRequest(`the ${EXECUTOR_ID_HEADER} header is missing`, [
        {
          path: `/headers/${EXECUTOR_ID_HEADER}`,
          message: "send the executorId returned by POST /api/v1/executor/sync",
        },
      ]);
    }
    const executor = this.executorOrg.get(executorId);
    // Another organization's executor id gets the same answer as a nonexistent one.
    if (!executor || executor.organization_id !== key.organizationId || executor.deleted_at !== null) {
      throw new AppError("not_found", "no such executor for this key; call /sync first", 404, [
        {
          path: `/headers/${EXECUTOR_ID_HEADER}`,
          message: "use the executorId from the latest /sync answer",
        },
      ]);
    }
    return { key, executorId, executorName: executor.name };
  }
}
