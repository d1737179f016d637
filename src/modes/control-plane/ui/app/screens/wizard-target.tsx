// Deploy step 1, Target: executor → chain → network → node type → client and version per role. Each list
// holds only what the executor chosen before reports in its capabilities, and each choice narrows the next.
import type { ExecutorOffer, FieldError } from "../api/node-flows.ts";
import { SelectField } from "./wizard-fields.tsx";
import type { Draft } from "./wizard-model.ts";
import { chainsOf, clientOptions } from "./wizard-rules.ts";

export function targetPaths(draft: Draft): string[] {
  return [
    "/executorId",
    "/spec/chain",
    "/spec/network",
    "/spec/nodeType",
    ...Object.keys(draft.clients).map((role) => `/spec/clients/${role}`),
  ];
}

export function TargetStep(props: {
  executors: ExecutorOffer[];
  draft: Draft;
  change: (patch: Partial<Draft>) => void;
  errors: FieldError[];
}) {
  const { executors, draft, change, errors } = props;
  const executor = executors.find((e) => e.id === draft.executorId);
  const chains = chainsOf(executor);
  const chain = chains.find((c) => c.chain === draft.chain);
  return (
    <>
      <SelectField
        label="Executor"
        path="/executorId"
        errors={errors}
        value={draft.executorId}
        options={executors.map((e) => e.id)}
        show={(id) => {
          const e = executors.find((x) => x.id === id);
          return e ? `${e.name} (${e.kind})${e.status === "online" ? "" : " — offline"}` : id;
        }}
        hint="Online executors that can run nodes."
        onChange={(executorId) => change({ executorId })}
      />
      <SelectField
        label="Chain"
        path="/spec/chain"
        errors={errors}
        value={draft.chain}
        options={chains.map((c) => c.chain)}
        onChange={(value) => change({ chain: value })}
      />
      <SelectField
        label="Network"
        path="/spec/network"
        errors={errors}
        value={draft.network}
        options={chain?.networks ?? []}
        onChange={(network) => change({ network })}
      />
      <SelectField
        label="Node type"
        path="/spec/nodeType"
        errors={errors}
        value={draft.nodeType}
        options={chain?.nodeTypes ?? []}
        show={(t) => (t === "full" ? "Full" : "Archive")}
        onChange={(nodeType) => change({ nodeType })}
      />
      {(chain?.roles ?? []).map((role) => (
        <SelectField
          key={role.role}
          label={`Client and version (${role.role})`}
          path={`/spec/clients/${role.role}`}
          errors={errors}
          value={draft.clients[role.role] ?? ""}
          options={clientOptions(chain, role.role, draft.network)}
          show={(o) => o.replace("@", " ")}
          hint="Missing a client or version? Upgrade the executor: its binary decides what it supports."
          onChange={(value) => change({ clients: { ...draft.clients, [role.role]: value } })}
        />
      ))}
    </>
  );
}
