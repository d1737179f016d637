// The admin console's members of one organization, with their roles changeable by the system admin
// (adminUpdateOrganizationMemberRole): making someone owner transfers the ownership; the owner's own role
// changes only that way, and the server says so.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ADMIN_MEMBERS, ADMIN_SET_ROLE, type AdminMember } from "../api/admin.ts";
import { describeError, request } from "../api/graphql.ts";
import { EmptyState, ErrorNote } from "../components/ui.tsx";

const ROLES = ["owner", "admin", "member"] as const;

function MemberRow({ organizationId, member }: { organizationId: string; member: AdminMember }) {
  const queryClient = useQueryClient();
  const [role, setRole] = useState<string>(member.role);
  const change = useMutation({
    mutationFn: () => request(ADMIN_SET_ROLE, { organizationId, userId: member.userId, role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin"] }),
  });
  return (
    <tr>
      <td>{member.name}</td>
      <td>{member.email}</td>
      <td>
        <select
          aria-label={`Role of ${member.email}`}
          value={role}
          onChange={(e) => {
            setRole(e.target.value);
            change.reset();
          }}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>{" "}
        <button
          type="button"
          disabled={role === member.role || change.isPending}
          onClick={() => change.mutate()}
        >
          Change role<span className="sr-only"> of {member.email}</span>
        </button>
        <ErrorNote error={change.error ? describeError(change.error) : null} />
      </td>
    </tr>
  );
}

export function AdminOrganizationMembers({ organization }: { organization: { id: string; name: string } }) {
  const query = useQuery({
    queryKey: ["admin", "members", organization.id],
    queryFn: () => request(ADMIN_MEMBERS, { organizationId: organization.id }),
  });
  const members = query.data?.adminOrganizationMembers ?? [];
  return (
    <section aria-labelledby="admin-members-title">
      <h2 id="admin-members-title">Members of {organization.name}</h2>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && members.length === 0 ? (
        <EmptyState>This organization has no members.</EmptyState>
      ) : null}
      {members.length > 0 ? (
        <table aria-labelledby="admin-members-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow key={`${m.id}-${m.role}`} organizationId={organization.id} member={m} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
