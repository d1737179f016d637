// The system admin's console (route /admin; the sidebar shows it to system admins only and the route
// sends anyone else to Nodes, while the API answers them with empty lists): every organization with its
// size and state, deactivation and reactivation, any organization's members and their roles, the executor
// release catalog, and the audit of every organization.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ADMIN_ORGANIZATIONS, ADMIN_SET_ACTIVE, type OrganizationOverview } from "../api/admin.ts";
import { describeError, request } from "../api/graphql.ts";
import { Dialog, EmptyState, ErrorNote } from "../components/ui.tsx";
import { AdminAudit } from "./admin-audit.tsx";
import { AdminOrganizationMembers } from "./admin-members.tsx";
import { AdminReleases } from "./admin-releases.tsx";

export const adminOrganizationsQuery = {
  queryKey: ["admin", "organizations"],
  queryFn: () => request(ADMIN_ORGANIZATIONS),
};

function SetActiveDialog({ target, onClose }: { target: OrganizationOverview | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (t: OrganizationOverview) =>
      request(ADMIN_SET_ACTIVE, { organizationId: t.organization.id, active: !t.organization.active }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
      close();
    },
  });
  const close = () => {
    change.reset();
    onClose();
  };
  const activating = target ? !target.organization.active : false;
  const name = target?.organization.name ?? "";
  return (
    <Dialog
      open={target !== null}
      title={activating ? `Reactivate ${name}?` : `Deactivate ${name}?`}
      onClose={close}
    >
      {target ? (
        <>
          <p>
            {activating
              ? "Its members can work in it again and its executors sync again."
              : `Its data stays, but its ${target.memberCount} member(s) cannot work in it and its ${target.executorCount} executor(s) are refused until it is reactivated; their ${target.nodeCount} node(s) keep running unmanaged.`}
          </p>
          <ErrorNote error={change.error ? describeError(change.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button
              type="button"
              className={activating ? "primary" : "danger"}
              disabled={change.isPending}
              onClick={() => change.mutate(target)}
            >
              {activating ? "Reactivate organization" : "Deactivate organization"}
            </button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}

export function AdminScreen() {
  const query = useQuery(adminOrganizationsQuery);
  const [target, setTarget] = useState<OrganizationOverview | null>(null);
  const [membersOf, setMembersOf] = useState<OrganizationOverview["organization"] | null>(null);
  const rows = query.data?.adminOrganizationsOverview ?? [];
  return (
    <section aria-labelledby="admin-title">
      <header className="page-header">
        <h1 id="admin-title">Admin console</h1>
      </header>
      <p className="muted">
        Every organization of this control plane. Only system administrators see this page.
      </p>
      <h2 id="admin-orgs-title">Organizations</h2>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && rows.length === 0 ? <EmptyState>No organizations yet.</EmptyState> : null}
      {rows.length > 0 ? (
        <table aria-labelledby="admin-orgs-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Slug</th>
              <th scope="col">Members</th>
              <th scope="col">Executors</th>
              <th scope="col">Nodes</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.organization.id}>
                <td>
                  {r.organization.name}
                  {r.organization.personal ? <span className="muted"> (personal)</span> : null}
                </td>
                <td>{r.organization.slug}</td>
                <td>{r.memberCount}</td>
                <td>{r.executorCount}</td>
                <td>{r.nodeCount}</td>
                <td>
                  <span className={`badge tone-${r.organization.active ? "good" : "bad"}`}>
                    {r.organization.active ? "active" : "inactive"}
                  </span>
                </td>
                <td>
                  <button type="button" onClick={() => setMembersOf(r.organization)}>
                    Members<span className="sr-only"> of {r.organization.name}</span>
                  </button>{" "}
                  <button type="button" onClick={() => setTarget(r)}>
                    {r.organization.active ? "Deactivate" : "Reactivate"}
                    <span className="sr-only"> {r.organization.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <SetActiveDialog target={target} onClose={() => setTarget(null)} />
      {membersOf ? <AdminOrganizationMembers organization={membersOf} /> : null}
      <AdminReleases />
      <AdminAudit organizations={rows} />
    </section>
  );
}
