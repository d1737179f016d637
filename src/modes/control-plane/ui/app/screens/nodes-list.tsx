// Nodes: name search, chain / phase / executor filters and the sort kept in the URL, a page of 100 at a
// time, live while open. Every filter, phase included, is applied by the server over the whole
// organization before the page is cut, so a filtered page is never a slice of an unfiltered one. Owners
// and admins select rows for bulk Start / Stop / Restart; members see no selection.
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { memo, useCallback, useEffect, useMemo, useState } from "react";
import type { NodeRow } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { NODES_LIST, type NodesListVariables } from "../api/nodes-list.ts";
import { executorsQuery, useCanManage } from "../api/queries.ts";
import { Badge, EmptyState, ErrorNote } from "../components/ui.tsx";
import { BulkActions } from "./nodes-list-bulk.tsx";

export const PAGE_SIZE = 100;
const PHASES = [
  "provisioning",
  "configuring",
  "starting",
  "running",
  "syncing",
  "stopping",
  "stopped",
  "error",
];
const SORTS = {
  name: { label: "Name, A to Z", orderBy: { name: "asc" } },
  "-name": { label: "Name, Z to A", orderBy: { name: "desc" } },
  "-created": { label: "Newest first", orderBy: { createdAt: "desc" } },
  created: { label: "Oldest first", orderBy: { createdAt: "asc" } },
} as const satisfies Record<string, { label: string; orderBy: NodesListVariables["orderBy"] }>;
type Sort = keyof typeof SORTS;

export interface NodesSearch {
  q?: string;
  chain?: string;
  phase?: string;
  executor?: string;
  /** Absent: by name, A to Z. */
  sort?: Exclude<Sort, "name">;
  page?: number;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);

export function parseNodesSearch(search: Record<string, unknown>): NodesSearch {
  const page = Number(search.page);
  const sort = String(search.sort);
  const parsed: NodesSearch = {
    q: text(search.q),
    chain: text(search.chain),
    phase: PHASES.includes(String(search.phase)) ? String(search.phase) : undefined,
    executor: text(search.executor),
    sort: sort in SORTS && sort !== "name" ? (sort as NodesSearch["sort"]) : undefined,
    page: Number.isInteger(page) && page > 0 ? page : undefined,
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as NodesSearch;
}

function variables(search: NodesSearch): NodesListVariables {
  const where: NodesListVariables["where"] = {};
  if (search.q) where.name = { contains: search.q };
  if (search.chain) where.chain = search.chain;
  if (search.executor) where.executorId = search.executor;
  if (search.phase) where.phase = search.phase;
  // One more than a page: tells whether a next page exists without counting.
  return {
    where,
    orderBy: SORTS[search.sort ?? "name"].orderBy,
    take: PAGE_SIZE + 1,
    skip: (search.page ?? 0) * PAGE_SIZE,
  };
}

/** One row; memoized, so a live refresh re-renders only the rows whose data changed. */
const NodeRowView = memo(function NodeRowView(props: {
  node: NodeRow;
  executorName: string;
  selectable: boolean;
  selected: boolean;
  onToggle: (id: string) => void;
}) {
  const { node } = props;
  return (
    <tr className={node.observedStale ? "stale" : undefined}>
      {props.selectable ? (
        <td>
          <input
            type="checkbox"
            checked={props.selected}
            onChange={() => props.onToggle(node.id)}
            aria-label={`Select ${node.name}`}
          />
        </td>
      ) : null}
      <td>
        <Link to="/nodes/$nodeId" params={{ nodeId: node.id }}>
          {node.name}
        </Link>
      </td>
      <td>
        {node.spec.chain} / {node.spec.network}
      </td>
      <td>
        {Object.values(node.spec.clients)
          .map((c) => `${c.name} ${c.version}`)
          .join(", ")}
      </td>
      <td>{props.executorName}</td>
      <td>
        <Badge value={node.phase} />
        {node.drifted ? <span className="note"> pending change</span> : null}
        {node.observedStale ? <span className="note"> stale</span> : null}
      </td>
    </tr>
  );
});

export function NodesScreen() {
  const search = useSearch({ from: "/signed-in/nodes" });
  const navigate = useNavigate();
  const canManage = useCanManage();
  const executors = useQuery(executorsQuery).data?.executors ?? [];
  const nodes = useQuery({
    queryKey: ["nodes", search],
    queryFn: () => request(NODES_LIST, variables(search)),
    placeholderData: (previous) => previous,
  });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // A new filter, sort or page is a new list: a selection made on another one does not carry over.
  const listKey = JSON.stringify(search);
  // biome-ignore lint/correctness/useExhaustiveDependencies: listKey is the dependency (the list's identity)
  useEffect(() => setSelected(new Set()), [listKey]);
  const toggle = useCallback(
    (id: string) =>
      setSelected((previous) => {
        const next = new Set(previous);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
  const set = (change: Partial<NodesSearch>) =>
    navigate({
      to: "/nodes",
      search: parseNodesSearch({ ...search, page: undefined, ...change }),
      replace: true,
    });

  const executorName = useMemo(() => new Map(executors.map((e) => [e.id, e.name])), [executors]);
  const chains = [
    ...new Set(executors.flatMap((e) => (e.capabilities.supportedChains ?? []).map((c) => c.chain))),
  ].sort();
  const loaded = nodes.data?.nodes ?? [];
  const rows = loaded.slice(0, PAGE_SIZE);
  const filtered = !!(search.q || search.chain || search.phase || search.executor);
  const page = search.page ?? 0;
  const allSelected = rows.length > 0 && rows.every((n) => selected.has(n.id));

  return (
    <section aria-labelledby="nodes-title">
      <header className="page-header">
        <h1 id="nodes-title">Nodes</h1>
        {canManage ? (
          <Link to="/nodes/deploy" className="button primary">
            Deploy node
          </Link>
        ) : null}
      </header>
      <search className="filters">
        <label>
          Name
          <input
            type="search"
            value={search.q ?? ""}
            placeholder="Search by name"
            onChange={(e) => set({ q: e.target.value })}
          />
        </label>
        <FilterSelect
          id="filter-chain"
          label="Chain"
          allLabel="All chains"
          value={search.chain}
          options={chains.map((c) => ({ value: c, label: c }))}
          onChange={(chain) => set({ chain })}
        />
        <FilterSelect
          id="filter-phase"
          label="Phase"
          allLabel="All phases"
          value={search.phase}
          options={PHASES.map((p) => ({ value: p, label: p }))}
          onChange={(phase) => set({ phase })}
        />
        <FilterSelect
          id="filter-executor"
          label="Executor"
          allLabel="All executors"
          value={search.executor}
          options={executors.map((e) => ({ value: e.id, label: e.name }))}
          onChange={(executor) => set({ executor })}
        />
        <FilterSelect
          id="sort"
          label="Sort"
          value={search.sort ?? "name"}
          options={Object.entries(SORTS).map(([value, s]) => ({ value, label: s.label }))}
          onChange={(sort) => set({ sort: sort as NodesSearch["sort"] })}
        />
        {filtered ? (
          <button
            type="button"
            onClick={() => navigate({ to: "/nodes", search: { sort: search.sort }, replace: true })}
          >
            Clear all
          </button>
        ) : null}
      </search>
      <ErrorNote error={nodes.error ? describeError(nodes.error) : null} />
      {canManage && rows.length > 0 ? (
        <BulkActions selected={[...selected]} onDone={() => setSelected(new Set())} />
      ) : null}
      {nodes.isSuccess && rows.length === 0 ? (
        filtered ? (
          <EmptyState>
            No node matches these filters —{" "}
            <Link to="/nodes" search={{}}>
              Clear all
            </Link>
          </EmptyState>
        ) : canManage ? (
          <EmptyState>
            No nodes yet — <Link to="/nodes/deploy">Deploy node</Link>
          </EmptyState>
        ) : (
          <EmptyState>No nodes yet — an owner or admin of this organization deploys them.</EmptyState>
        )
      ) : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              {canManage ? (
                <th scope="col">
                  <input
                    type="checkbox"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((n) => n.id)))}
                    aria-label="Select every node on this page"
                  />
                </th>
              ) : null}
              <th scope="col">Name</th>
              <th scope="col">Chain</th>
              <th scope="col">Client</th>
              <th scope="col">Executor</th>
              <th scope="col">Phase</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((node) => (
              <NodeRowView
                key={node.id}
                node={node}
                executorName={executorName.get(node.executorId) ?? "—"}
                selectable={canManage}
                selected={selected.has(node.id)}
                onToggle={toggle}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      {page > 0 || loaded.length > PAGE_SIZE ? (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={page === 0} onClick={() => set({ page: page - 1 })}>
            Previous page
          </button>
          <span>Page {page + 1}</span>
          <button type="button" disabled={loaded.length <= PAGE_SIZE} onClick={() => set({ page: page + 1 })}>
            Next page
          </button>
        </nav>
      ) : null}
    </section>
  );
}

/** One filter of a list: a labelled select; with `allLabel`, its empty choice means "no filter". */
export function FilterSelect(props: {
  id: string;
  label: string;
  allLabel?: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value ?? ""} onChange={(e) => props.onChange(e.target.value)}>
        {props.allLabel !== undefined ? <option value="">{props.allLabel}</option> : null}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
