// Connecting and removing executors (reference §6.2, §6.10): connectExecutor mints an executor key and
// a ready install command (agent: the one-line installer this control plane serves; operator: helm);
// deleteExecutor refuses while nodes remain, marks the row deleted (freeing the name), disables the keys
// only it used, and records executor.deleted in the events and the audit log.
import type { Db } from "../../../db/client.ts";
import { findLiveExecutor, keysUsedOnlyBy, markExecutorDeleted } from "../../../db/queries/executors.ts";
import { disableKeys } from "../../../db/queries/keys.ts";
import { countLiveNodesOn } from "../../../db/queries/nodes.ts";
import type { Clock } from "../../../lib/clock.ts";
import { conflict, notFound } from "../../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import type { ApiKeyService } from "../auth/api-keys.ts";
import type { Caller } from "../auth/caller.ts";
import { appendEvent } from "../events/service.ts";
import type { ExecutorRow, ExecutorService } from "../executors/service.ts";
import type { KeyManagementService } from "../keys/service.ts";
import { agentInstallCommand, operatorInstallCommand } from "./install.ts";
import type { ConnectExecutorInput } from "./models.ts";

export class ExecutorConnectService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keys: ApiKeyService,
    private readonly keyManagement: KeyManagementService,
    private readonly executors: ExecutorService,
    private readonly publicUrl: string,
  ) {}

  connect(caller: Caller, input: ConnectExecutorInput) {
    const kind = input.kind;
    const name = input.name.trim();
    const channel = input.channel ?? "stable";
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

  delete(caller: Caller, executorId: string): ExecutorRow {
    const executor = findLiveExecutor(this.db, caller.organizationId, executorId);
    if (!executor) throw notFound(`executor ${executorId} not found`);
    const live = countLiveNodesOn(this.db, executorId);
    if (live > 0) {
      throw conflict(`executor ${executor.name} still has ${live} node(s): move or delete them first`, [
        { path: "/where/id", message: "delete its nodes, then delete the executor" },
      ]);
    }
    const now = this.clock.now();
    // Disable the keys only this executor used; a key shared with another live executor keeps working.
    const toDisable = keysUsedOnlyBy(this.db, executorId);
    const row = this.db.transaction((tx) => {
      const deleted = markExecutorDeleted(tx, executorId, now);
      disableKeys(tx, toDisable);
      const auditActionId = recordAudit(
        tx,
        caller,
        "executor.deleted",
        { kind: "executor", id: executorId, name: executor.name },
        { kind: executor.kind, disabledKeyIds: toDisable },
        now,
      );
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
