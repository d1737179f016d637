// Nodes: name search and chain / phase / executor filters kept in the URL, a page of 100 at a time (the
// API's budget admits far more, but a person reads a page), live while open. Phase is derived by the
// server per node and not a query filter, so it narrows the loaded page.
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { NODES, type NodesVariables } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { executorsQuery, useCanManage } from "../api/queries.ts";
import { Badge, EmptyState, ErrorNote } from "../components/ui.tsx";

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

export interface NodesSearch {
  q?: string;
  chain?: string;
  phase?: string;
  executor?: string;
  page?: number;
}

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined);

export function parseNodesSearch(search: Record<string, unknown>): NodesSearch {
  const page = Number(search.page);
  const parsed: NodesSearch = {
    q: text(search.q),
    chain: text(search.chain),
    phase: text(search.phase),
    executor: text(search.executor),
    page: Number.isInteger(page) && page > 0 ? page : undefined,
  };
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as NodesSearch;
}

function variables(search: NodesSearch): NodesVariables {
  const where: NodesVariables["where"] = {};
  if (search.q) where.name = { contains: search.q };
  if (search.chain) where.chain = search.chain;
  if (search.executor) where.executorId = search.executor;
  // One more than a page: tells whether a next page exists without counting.
  return { where, take: PAGE_SIZE + 1, skip: (search.page ?? 0) * PAGE_SIZE };
}

export function NodesScreen() {
  const search = useSearch({ from: "/signed-in/nodes" });
  const navigate = useNavigate();
  const canManage = useCanManage();
  const executors = useQuery(executorsQuery).data?.executors ?? [];
  const nodes = useQuery({
    queryKey: ["nodes", search],
    queryFn: () => request(NODES, variables(search)),
    placeholderData: (previous) => previous,
  });
  const set = (change: Partial<NodesSearch>) =>
    navigate({
      to: "/nodes",
      search: parseNodesSearch({ ...search, page: undefined, ...change }),
      replace: true,
    });

  const executorName = new Map(executors.map((e) => [e.id, e.name]));
  const chains = [
    ...new Set(executors.flatMap((e) => (e.capabilities.supportedChains ?? []).map((c) => c.chain))),
  ].sort();
  const loaded = nodes.data?.nodes ?? [];
  const rows = loaded.slice(0, PAGE_SIZE).filter((n) => !search.phase || n.phase === search.phase);
  const filtered = !!(search.q || search.chain || search.phase || search.executor);
  const page = search.page ?? 0;

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
        {filtered ? (
          <button type="button" onClick={() => navigate({ to: "/nodes", search: {}, replace: true })}>
            Clear all
          </button>
        ) : null}
      </search>
      <ErrorNote error={nodes.error ? describeError(nodes.error) : null} />
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
              <th scope="col">Name</th>
              <th scope="col">Chain</th>
              <th scope="col">Client</th>
              <th scope="col">Executor</th>
              <th scope="col">Phase</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((node) => (
              <tr key={node.id} className={node.observedStale ? "stale" : undefined}>
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
                <td>{executorName.get(node.executorId) ?? "—"}</td>
                <td>
                  <Badge value={node.phase} />
                  {node.drifted ? <span className="note"> pending change</span> : null}
                  {node.observedStale ? <span className="note"> stale</span> : null}
                </td>
              </tr>
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

/** One filter of the list: a labelled select whose empty choice means "no filter". */
function FilterSelect(props: {
  id: string;
  label: string;
  allLabel: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value ?? ""} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.allLabel}</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
