// Deploy node (reference §6.4, first slice): target (executor → chain → network → node type → client and
// version per role, each choice narrowing the next from the executor's reported capabilities), an optional
// name and RPC port, then createNode. The server validates the whole spec; its errors name each field.
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { type ChainCapability, CREATE_NODE, type ExecutorRow } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { executorsQuery, useCanManage } from "../api/queries.ts";
import { EmptyState, ErrorNote } from "../components/ui.tsx";

interface Target {
  executorId: string;
  chain: string;
  network: string;
  nodeType: string;
  /** role → "client@version" */
  clients: Record<string, string>;
}

function chainsOf(executor: ExecutorRow | undefined): ChainCapability[] {
  return executor?.capabilities.supportedChains ?? [];
}

/** The target with every later choice reset to the first option the earlier ones allow. */
function narrowed(executors: ExecutorRow[], want: Partial<Target>): Target {
  const executor = executors.find((e) => e.id === want.executorId) ?? executors[0];
  const chains = chainsOf(executor);
  const chain = chains.find((c) => c.chain === want.chain) ?? chains[0];
  const pick = (options: string[], wanted?: string) =>
    wanted && options.includes(wanted) ? wanted : (options[0] ?? "");
  const clients: Record<string, string> = {};
  for (const role of chain?.roles ?? []) {
    const options = role.clients.flatMap((c) => c.versions.map((v) => `${c.name}@${v}`));
    clients[role.role] = pick(options, want.clients?.[role.role]);
  }
  return {
    executorId: executor?.id ?? "",
    chain: chain?.chain ?? "",
    network: pick(chain?.networks ?? [], want.network),
    nodeType: pick(chain?.nodeTypes ?? [], want.nodeType),
    clients,
  };
}

export function DeployNodeScreen() {
  const canManage = useCanManage();
  const navigate = useNavigate();
  const executors = (useQuery(executorsQuery).data?.executors ?? []).filter(
    (e) => e.status === "online" && chainsOf(e).length > 0,
  );
  const [want, setWant] = useState<Partial<Target>>({});
  const target = narrowed(executors, want);
  const chain = chainsOf(executors.find((e) => e.id === target.executorId)).find(
    (c) => c.chain === target.chain,
  );
  const create = useMutation({
    mutationFn: (variables: { name: string; rpcPort: string }) => {
      const clients = Object.fromEntries(
        Object.entries(target.clients).map(([role, pick]) => {
          const at = pick.lastIndexOf("@");
          return [role, { name: pick.slice(0, at), version: pick.slice(at + 1) }];
        }),
      );
      const spec: Record<string, unknown> = {
        chain: target.chain,
        network: target.network,
        nodeType: target.nodeType,
        clients,
      };
      if (variables.rpcPort) spec.ports = { rpc: Number(variables.rpcPort) };
      return request(CREATE_NODE, {
        data: { executorId: target.executorId, spec, ...(variables.name ? { name: variables.name } : {}) },
      });
    },
    onSuccess: (data) => navigate({ to: "/nodes/$nodeId", params: { nodeId: data.createNode.id } }),
  });

  if (!canManage) {
    return <EmptyState>Deploying a node needs the owner or admin role in this organization.</EmptyState>;
  }
  if (executors.length === 0) {
    return (
      <EmptyState>
        No online executor can run nodes yet — <Link to="/executors">Connect executor</Link>, then come back.
      </EmptyState>
    );
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      name: String(form.get("name") ?? "").trim(),
      rpcPort: String(form.get("rpcPort") ?? ""),
    });
  };
  // Labels point at their control (htmlFor): a label wrapping a <select> would name it with the selected
  // option's text too.
  const select = (
    label: string,
    value: string,
    options: string[],
    change: (v: string) => void,
    show: (option: string) => string = (o) => o.replace("@", " "),
  ) => {
    const id = `deploy-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
    return (
      <div key={label} className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} value={value} onChange={(e) => change(e.target.value)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {show(o)}
            </option>
          ))}
        </select>
      </div>
    );
  };
  return (
    <section aria-labelledby="deploy-title">
      <h1 id="deploy-title">Deploy node</h1>
      <form onSubmit={submit} className="wizard">
        <fieldset>
          <legend>Target</legend>
          {select(
            "Executor",
            target.executorId,
            executors.map((e) => e.id),
            (v) => setWant({ ...want, executorId: v }),
            (id) => {
              const e = executors.find((x) => x.id === id);
              return e ? `${e.name} (${e.kind})` : id;
            },
          )}
          {select(
            "Chain",
            target.chain,
            chainsOf(executors.find((e) => e.id === target.executorId)).map((c) => c.chain),
            (v) => setWant({ ...want, chain: v }),
          )}
          {select("Network", target.network, chain?.networks ?? [], (v) => setWant({ ...want, network: v }))}
          {select("Node type", target.nodeType, chain?.nodeTypes ?? [], (v) =>
            setWant({ ...want, nodeType: v }),
          )}
          {(chain?.roles ?? []).map((role) =>
            select(
              `Client (${role.role})`,
              target.clients[role.role] ?? "",
              role.clients.flatMap((c) => c.versions.map((v) => `${c.name}@${v}`)),
              (v) => setWant({ ...want, clients: { ...target.clients, [role.role]: v } }),
            ),
          )}
        </fieldset>
        <fieldset>
          <legend>Configuration</legend>
          <label>
            Node ID (name)
            <input name="name" placeholder="generated when blank" autoComplete="off" />
          </label>
          <label>
            RPC port
            <input name="rpcPort" type="number" min={1} max={65535} placeholder="the client's default" />
          </label>
        </fieldset>
        <ErrorNote error={create.error ? describeError(create.error) : null} />
        <div className="dialog-buttons">
          <Link to="/nodes" search={{}} className="button">
            Cancel
          </Link>
          <button type="submit" className="primary" disabled={create.isPending}>
            Deploy
          </button>
        </div>
      </form>
    </section>
  );
}
