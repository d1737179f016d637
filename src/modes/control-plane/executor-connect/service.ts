// Connecting and removing executors (reference §6.2, §6.10): connectExecutor mints an executor key and
// a ready install command (agent: the one-line installer this control plane serves; operator: helm);
// deleteExecutor refuses while nodes remain, marks the row deleted (freeing the name), disables the keys
// only it used, and records executor.deleted in the events and the audit log.
import { and, count, eq, inArray, isNull, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { apiKeys, executorApiKeyUsage, executors, nodes } from "../../../db/schema/index.ts";
import type { Clock } from "../../../lib/clock.ts";
import { badRequest, conflict, notFound } from "../../../lib/errors.ts";
import { EXECUTOR_NAME_PATTERN } from "../../../protocol/index.ts";
import { appendAudit } from "../audit/service.ts";
import type { ApiKeyService } from "../auth/api-keys.ts";
import { appendEvent } from "../events/service.ts";
import type { ExecutorRow, ExecutorService } from "../executors/service.ts";
import type { KeyManagementService } from "../keys/service.ts";
import type { TenantCaller } from "../organizations/caller.ts";
import { agentInstallCommand, operatorInstallCommand } from "./install.ts";

const NAME = new RegExp(EXECUTOR_NAME_PATTERN);
const CHANNELS = ["stable", "beta"];

export class ExecutorConnectService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: ApiKeyService,
    private readonly keyManagement: KeyManagementService,
    private readonly executors: ExecutorService,
    private readonly publicUrl: string,
  ) {}

  connect(caller: TenantCaller, input: { kind: unknown; name: unknown; channel?: unknown }) {
    const kind = input.kind;
    if (kind !== "agent" && kind !== "operator")
      throw badRequest("kind must be agent or operator", [
        { path: "/kind", message: "use agent or operator" },
      ]);
    const name = typeof input.name === "string" ? input.name.trim() : "";
    if (!NAME.test(name)) {
      throw badRequest(`executor name "${name}" is not valid`, [
        {
          path: "/name",
          message: "use 1 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
        },
      ]);
    }
    const channel = input.channel ?? "stable";
    if (typeof channel !== "string" || !CHANNELS.includes(channel)) {
      throw badRequest("channel must be stable or beta (dev is set in the executor's own config)", [
        { path: "/channel", message: "use stable or beta" },
      ]);
    }
    const keyName = name.length <= 32 ? name : name.slice(0, 32);
    const { row, plaintext } = this.keyManagement.create(
      caller,
      "executor",
      { name: keyName },
      { executorName: name },
    );
    const installCommand =
      kind === "agent"
        ? agentInstallCommand(this.publicUrl, { name, channel, key: plaintext })
        : operatorInstallCommand(this.publicUrl, { name, channel, key: plaintext });
    return { apiKey: row, key: plaintext, kind, name, channel, installCommand };
  }

  delete(caller: TenantCaller, executorId: string): ExecutorRow {
    const executor = this.db
      .select()
      .from(executors)
      .where(
        and(
          eq(executors.id, executorId),
          eq(executors.organizationId, caller.organizationId),
          isNull(executors.deletedAt),
        ),
      )
      .get();
    if (!executor) throw notFound(`executor ${executorId} not found`);
    const live = this.db
      .select({ n: count() })
      .from(nodes)
      .where(and(eq(nodes.executorId, executorId), isNull(nodes.deletedAt)))
      .get()!.n;
    if (live > 0) {
      throw conflict(`executor ${executor.name} still has ${live} node(s): move or delete them first`, [
        { path: "/where/id", message: "delete its nodes, then delete the executor" },
      ]);
    }
    const now = this.clock.now();
    const usedKeys = this.db
      .select({ keyId: executorApiKeyUsage.keyId })
      .from(executorApiKeyUsage)
      .where(eq(executorApiKeyUsage.executorId, executorId))
      .all();
    // Disable the keys only this executor used; a key shared with another live executor keeps working.
    const toDisable = usedKeys
      .map((u) => u.keyId)
      .filter((keyId) => {
        const others = this.db
          .select({ n: count() })
          .from(executorApiKeyUsage)
          .innerJoin(executors, eq(executors.id, executorApiKeyUsage.executorId))
          .where(
            and(
              eq(executorApiKeyUsage.keyId, keyId),
              ne(executors.id, executorId),
              isNull(executors.deletedAt),
            ),
          )
          .get()!.n;
        return others === 0;
      });
    const row = this.db.transaction((tx) => {
      const deleted = tx
        .update(executors)
        .set({ deletedAt: now })
        .where(eq(executors.id, executorId))
        .returning()
        .get();
      if (toDisable.length > 0)
        tx.update(apiKeys).set({ enabled: false }).where(inArray(apiKeys.id, toDisable)).run();
      const auditActionId = appendAudit(tx, {
        organizationId: caller.organizationId,
        actor: caller.actor,
        action: "executor.deleted",
        targetKind: "executor",
        targetId: executorId,
        targetName: executor.name,
        details: { kind: executor.kind, disabledKeyIds: toDisable },
        meta: caller.meta,
        at: now,
      });
      appendEvent(tx, {
        organizationId: caller.organizationId,
        type: "executor.deleted",
        message: `Executor ${executor.name} was deleted by ${caller.actor.name}`,
        executorId,
        executorName: executor.name,
        auditActionId,
        createdAt: now,
      });
      return deleted;
    });
    for (const keyId of toDisable) this.keys.refresh(keyId);
    this.executors.forget(executorId);
    return row;
  }
}
