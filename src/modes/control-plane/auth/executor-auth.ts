// Authenticates executor requests: `Authorization: Bearer exc_…`, the key's organization active, and
// (after /sync) the executor named by EXECUTOR_ID_HEADER belonging to that organization. Unknown,
// disabled, revoked and expired keys all get the same 401 body.
import type { Db } from "../../../db/client.ts";
import { executorOwner } from "../../../db/queries/executors.ts";
import type { Clock } from "../../../lib/clock.ts";
import { AppError, badRequest, unauthenticated } from "../../../lib/errors.ts";
import { EXECUTOR_ID_HEADER } from "../../../protocol/index.ts";
import type { ExecutorService } from "../executors/service.ts";
import type { OrganizationService } from "../organizations/service.ts";
import type { ApiKeyService, KeyRow } from "./api-keys.ts";
import { presentedKey } from "./request-key.ts";

const INVALID_KEY = "the executor key is missing, unknown, disabled, revoked or expired";

export class ExecutorAuth {
  constructor(
    private readonly db: Db,
    private readonly keys: ApiKeyService,
    private readonly clock: Clock,
    private readonly organizations: Pick<OrganizationService, "isActive">,
    private readonly executors: Pick<ExecutorService, "identify">,
  ) {}

  key(request: Request): KeyRow {
    const row = presentedKey(request, this.keys, "executor", this.clock.now());
    if (!row || !this.organizations.isActive(row.organizationId)) throw unauthenticated(INVALID_KEY);
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
    // Live executors are known in memory; only an unknown or deleted id reaches the database.
    const executor = this.executors.identify(executorId) ?? executorOwner(this.db, executorId);
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
