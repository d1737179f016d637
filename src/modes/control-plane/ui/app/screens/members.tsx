// Members (reference §2, §6.12): everyone in the organization with their role; owners and admins change
// roles within their own level, remove members below it, invite, and resend or cancel invitations. The
// choices offered mirror the server's policy (graphql/authz.ts), so nobody is shown a button that can
// only fail; the server decides anyway. A member sees the lists and no action.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Role } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { UNSTREAMED_POLL_MS, viewerQuery } from "../api/queries.ts";
import {
  MEMBERS,
  type MemberRow,
  REMOVE_MEMBER,
  TRANSFER_OWNERSHIP,
  UPDATE_MEMBER_ROLE,
} from "../api/tenancy.ts";
import { ConfirmDialog, EmptyState, ErrorNote, formatTime } from "../components/ui.tsx";
import { InvitationsTable, InviteDialog } from "./members-invitations.tsx";

export const membersQuery = {
  queryKey: ["members"],
  queryFn: () => request(MEMBERS),
  refetchInterval: UNSTREAMED_POLL_MS,
};

/** The signed-in person's standing here: what the member screens may offer them. */
export interface Standing {
  userId: string;
  role: Role | null;
  owner: boolean;
  manager: boolean;
}

export function useStanding(): Standing | null {
  const me = useQuery(viewerQuery).data?.me;
  if (!me) return null;
  const owner = me.systemAdmin || me.role === "owner";
  return { userId: me.id, role: me.role, owner, manager: owner || me.role === "admin" };
}

/** Roles `s` may give `target` (without ownership transfer), as graphql/authz.ts policy.changeRole. */
function assignableRoles(s: Standing, target: MemberRow): Role[] {
  if (target.role === "owner" || target.userId === s.userId) return [];
  if (s.owner || s.role === "admin") return ["member", "admin"];
  return [];
}

function removable(s: Standing, target: MemberRow): boolean {
  if (target.role === "owner" || target.userId === s.userId) return false;
  return s.owner || (s.role === "admin" && target.role === "member");
}

export function MembersScreen() {
  const standing = useStanding();
  const query = useQuery(membersQuery);
  const [inviting, setInviting] = useState(false);
  const members = query.data?.members ?? [];
  const invitations = query.data?.invitations ?? [];
  return (
    <section aria-labelledby="members-title">
      <header className="page-header">
        <h1 id="members-title">Members</h1>
        {standing?.manager ? (
          <button type="button" className="primary" onClick={() => setInviting(true)}>
            Invite member
          </button>
        ) : null}
      </header>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {members.length > 0 && standing ? (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {standing.manager ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <MemberLine key={m.id} member={m} standing={standing} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <h2>Invitations</h2>
      {query.isSuccess && invitations.length === 0 ? (
        <EmptyState>
          {standing?.manager ? (
            <>No invitations yet — Invite member to add someone by email.</>
          ) : (
            <>No invitations yet — an owner or admin of this organization invites people.</>
          )}
        </EmptyState>
      ) : null}
      {invitations.length > 0 && standing ? (
        <InvitationsTable invitations={invitations} standing={standing} />
      ) : null}
      {standing ? (
        <InviteDialog open={inviting} standing={standing} onClose={() => setInviting(false)} />
      ) : null}
    </section>
  );
}

function MemberLine({ member, standing }: { member: MemberRow; standing: Standing }) {
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["members"] });
  const changeRole = useMutation({
    mutationFn: (role: Role) => request(UPDATE_MEMBER_ROLE, { id: member.id, role }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => request(REMOVE_MEMBER, { id: member.id }),
    onSuccess: () => {
      setRemoving(false);
      void refresh();
    },
  });
  const transfer = useMutation({
    mutationFn: () => request(TRANSFER_OWNERSHIP, { id: member.id }),
    onSuccess: () => {
      setTransferring(false);
      void refresh();
      void queryClient.invalidateQueries({ queryKey: ["viewer"] });
    },
  });
  const roles = assignableRoles(standing, member);
  const you = member.userId === standing.userId;
  return (
    <tr>
      <td>
        {member.name}
        {you ? <span className="muted"> (you)</span> : null}
      </td>
      <td>{member.email}</td>
      <td>
        {roles.length > 0 ? (
          <select
            aria-label={`Role of ${member.name}`}
            value={member.role}
            disabled={changeRole.isPending}
            onChange={(e) => changeRole.mutate(e.target.value as Role)}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        ) : (
          member.role
        )}
        <ErrorNote error={changeRole.error ? describeError(changeRole.error) : null} />
      </td>
      <td>{formatTime(member.createdAt)}</td>
      {standing.manager ? (
        <td>
          <div className="row-actions">
            {removable(standing, member) ? (
              <button
                type="button"
                className="danger"
                aria-label={`Remove ${member.name}`}
                onClick={() => setRemoving(true)}
              >
                Remove
              </button>
            ) : null}
            {standing.owner && member.role !== "owner" && !you ? (
              <button
                type="button"
                aria-label={`Make owner: ${member.name}`}
                onClick={() => setTransferring(true)}
              >
                Make owner
              </button>
            ) : null}
            <ConfirmDialog
              open={removing}
              title={`Remove ${member.name}?`}
              text={`${member.email} loses access to this organization at once and their sessions here end. Their account, the keys they created and their audit rows stay.`}
              button="Remove member"
              busy={remove.isPending}
              error={remove.error ? describeError(remove.error) : null}
              onConfirm={() => remove.mutate()}
              onClose={() => setRemoving(false)}
            />
            <ConfirmDialog
              open={transferring}
              title={`Make ${member.name} the owner?`}
              text="They become the owner of this organization; you become an admin. Only the new owner can undo this."
              button="Transfer ownership"
              busy={transfer.isPending}
              error={transfer.error ? describeError(transfer.error) : null}
              onConfirm={() => transfer.mutate()}
              onClose={() => setTransferring(false)}
            />
          </div>
        </td>
      ) : null}
    </tr>
  );
}
