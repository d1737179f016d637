// Executor detail: status, version and compatibility window (a banner when deprecated or out of support),
// what it can run (chains, networks, roles and clients, in words), the host's resources, the nodes it
// hosts, its recent events and the key it last synced with. Owners and admins upgrade it (Upgrade panel,
// executor-upgrade.tsx) and delete it (confirmed by
// typing its name; the server refuses while it still hosts nodes). Live while open.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { DELETE_EXECUTOR, EXECUTOR, type ExecutorDetail } from "../api/executors.ts";
import { describeError, request } from "../api/graphql.ts";
import { useCanManage } from "../api/queries.ts";
import { EventList } from "../components/event-list.tsx";
import { Badge, Dialog, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import { UpgradePanel } from "./executor-upgrade.tsx";
import { CompatBadge } from "./executors.tsx";

const bytes = (n: number | undefined) => {
  if (n === undefined) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

function DeprecationBanner({ executor }: { executor: ExecutorDetail }) {
  if (executor.compat === "in-window") return null;
  const out = executor.compat === "out-of-support";
  return (
    <div className={`banner ${out ? "tone-bad" : "tone-warn"}`} role="status">
      <strong>{out ? "Out of support." : "Deprecated."}</strong>{" "}
      {out
        ? `Version ${executor.currentVersion} is more than one major version behind this control plane: it only heartbeats and upgrades; its nodes get no changes. Upgrade it (possibly in two major steps).`
        : `Version ${executor.currentVersion} is one major version behind this control plane. It keeps working; upgrade it before the next major release.`}
    </div>
  );
}

function Capabilities({ executor }: { executor: ExecutorDetail }) {
  const chains = executor.capabilities.supportedChains ?? [];
  const features = executor.capabilities.features ?? [];
  const storage = executor.capabilities.storageClasses ?? [];
  return (
    <section aria-labelledby="capabilities-title">
      <h2 id="capabilities-title">Capabilities</h2>
      {chains.length === 0 ? (
        <EmptyState>This executor reports no chain it can run.</EmptyState>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Chain</th>
              <th scope="col">Networks</th>
              <th scope="col">Node types</th>
              <th scope="col">Roles and clients</th>
            </tr>
          </thead>
          <tbody>
            {chains.map((c) => (
              <tr key={c.chain}>
                <td>{c.chain}</td>
                <td>{c.networks.join(", ")}</td>
                <td>{c.nodeTypes.join(", ")}</td>
                <td>
                  <ul className="plain">
                    {c.roles.map((r) => (
                      <li key={r.role}>
                        <strong>{r.role}</strong>:{" "}
                        {r.clients.map((cl) => `${cl.name} (${cl.versions.join(", ")})`).join("; ")}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">
        Features: {features.join(", ") || "none"} · Storage classes: {storage.join(", ") || "none"}
      </p>
    </section>
  );
}

function Facts({ executor }: { executor: ExecutorDetail }) {
  const r = executor.resources ?? {};
  const key = executor.lastUsedKey;
  const facts: [string, string][] = [
    ["Kind", executor.kind],
    ["Version", `${executor.currentVersion} (${executor.channel})`],
    ["Last seen", formatTime(executor.lastSyncAt)],
    ["Connected", formatTime(executor.createdAt)],
    ["Public host", executor.publicHost ?? "—"],
    ["Pending upgrade", executor.pendingUpgrade?.targetVersion ?? "none"],
    ["Last used key", key ? `${key.name} (${key.start}…, ${key.status})` : "—"],
    ["CPU", r.cpuCores === undefined ? "—" : `${r.cpuCores} cores`],
    ["Memory", bytes(r.memoryBytes)],
    [
      "Disk",
      r.diskTotalBytes === undefined
        ? "—"
        : `${bytes(r.diskAvailableBytes)} free of ${bytes(r.diskTotalBytes)}`,
    ],
    ["System", [r.os, r.arch].filter(Boolean).join(" / ") || "—"],
  ];
  return (
    <dl className="facts">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function DeleteExecutor({ executor }: { executor: ExecutorDetail }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const remove = useMutation({
    mutationFn: () => request(DELETE_EXECUTOR, { id: executor.id }),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: ["executors"] });
      await navigate({ to: "/executors" });
    },
  });
  const close = () => {
    setOpen(false);
    setTyped("");
    remove.reset();
  };
  return (
    <div className="actions">
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete
      </button>
      <Dialog open={open} title={`Delete ${executor.name}?`} onClose={close}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (typed === executor.name) remove.mutate();
          }}
        >
          <p>
            The executor is removed and the keys only it used are disabled; the host keeps running until you
            uninstall the agent or operator there. It must host no nodes. Type its name,{" "}
            <strong>{executor.name}</strong>, to confirm.
          </p>
          <label>
            Executor name
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
          </label>
          <ErrorNote error={remove.error ? describeError(remove.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="danger" disabled={typed !== executor.name || remove.isPending}>
              Delete executor
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

export function ExecutorDetailScreen() {
  const { executorId } = useParams({ from: "/signed-in/executors/$executorId" });
  const canManage = useCanManage();
  const query = useQuery({
    queryKey: ["executor", executorId],
    queryFn: () => request(EXECUTOR, { id: executorId }),
  });
  if (query.isPending) return <p aria-busy="true">Loading…</p>;
  if (query.isError) return <ErrorNote error={describeError(query.error)} />;
  const executor = query.data.executor;
  if (!executor) {
    return (
      <EmptyState>
        This executor does not exist in this organization (it may have been deleted) —{" "}
        <Link to="/executors">back to Executors</Link>
      </EmptyState>
    );
  }
  const events = query.data.events;
  return (
    <article aria-labelledby="executor-title">
      <header className="page-header">
        <div>
          <p className="crumbs">
            <Link to="/executors">Executors</Link> /
          </p>
          <h1 id="executor-title">{executor.name}</h1>
          <p>
            <Badge value={executor.status} /> <CompatBadge compat={executor.compat} />
          </p>
        </div>
        {canManage ? <DeleteExecutor executor={executor} /> : null}
      </header>
      <DeprecationBanner executor={executor} />
      <Facts executor={executor} />
      {canManage ? (
        <UpgradePanel
          executorId={executor.id}
          pendingVersion={executor.pendingUpgrade?.targetVersion ?? null}
        />
      ) : null}
      <Capabilities executor={executor} />
      <section aria-labelledby="hosted-title">
        <h2 id="hosted-title">Hosted nodes</h2>
        {executor.nodes.length === 0 ? (
          <EmptyState>
            No nodes on this executor yet
            {canManage ? (
              <>
                {" "}
                — <Link to="/nodes/deploy">Deploy node</Link>
              </>
            ) : null}
          </EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Chain</th>
                <th scope="col">Phase</th>
              </tr>
            </thead>
            <tbody>
              {executor.nodes.map((n) => (
                <tr key={n.id}>
                  <td>
                    <Link to="/nodes/$nodeId" params={{ nodeId: n.id }}>
                      {n.name}
                    </Link>
                  </td>
                  <td>
                    {n.spec.chain} / {n.spec.network}
                  </td>
                  <td>
                    <Badge value={n.phase} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="executor-events-title">
        <h2 id="executor-events-title">Recent events</h2>
        {events.length === 0 ? (
          <EmptyState>No events for this executor yet.</EmptyState>
        ) : (
          <EventList events={events} label={`Recent events of ${executor.name}`} />
        )}
        <p>
          <Link to="/events" search={{ executor: executor.name }}>
            All events of {executor.name}
          </Link>
        </p>
      </section>
    </article>
  );
}
