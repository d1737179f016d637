// Invitations (reference §6.12): Invite member (email and member/admin; only an owner invites an admin),
// the list with status and expiry, Resend (a new link, the old one stops working) and Cancel. Without SMTP
// the server sends no email and returns the accept link (/invite/<token>) for the inviter to pass on.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import {
  CANCEL_INVITATION,
  INVITE_MEMBER,
  type InvitationRow,
  RESEND_INVITATION,
  type SentInvitation,
} from "../api/tenancy.ts";
import { Badge, CopyField, Dialog, ErrorNote, formatTime } from "../components/ui.tsx";
import type { Standing } from "./members.tsx";

/** Who may resend or cancel: whoever could have sent it (graphql/authz.ts policy.manageInvitation). */
const manages = (s: Standing, role: string) => (role === "admin" ? s.owner : s.manager);

export function InvitationsTable({
  invitations,
  standing,
}: {
  invitations: InvitationRow[];
  standing: Standing;
}) {
  const [sent, setSent] = useState<SentInvitation | null>(null);
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            {standing.manager ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {invitations.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role}</td>
              <td>
                <Badge value={i.status} />
              </td>
              <td>{formatTime(i.expiresAt)}</td>
              {standing.manager ? (
                <td>
                  <div className="row-actions">
                    {i.status === "pending" && manages(standing, i.role) ? (
                      <InvitationActions invitation={i} onResent={setSent} />
                    ) : null}
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <Dialog open={sent !== null} title="Invitation sent again" onClose={() => setSent(null)}>
        {sent ? <SentNote sent={sent} /> : null}
        <div className="dialog-buttons">
          <button type="button" className="primary" onClick={() => setSent(null)}>
            Done
          </button>
        </div>
      </Dialog>
    </div>
  );
}

function InvitationActions({
  invitation,
  onResent,
}: {
  invitation: InvitationRow;
  onResent: (s: SentInvitation) => void;
}) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["members"] });
  const resend = useMutation({
    mutationFn: () => request(RESEND_INVITATION, { id: invitation.id }),
    onSuccess: (data) => {
      onResent(data.resendInvitation);
      void refresh();
    },
  });
  const cancel = useMutation({
    mutationFn: () => request(CANCEL_INVITATION, { id: invitation.id }),
    onSuccess: refresh,
  });
  const error = resend.error ?? cancel.error;
  return (
    <>
      <button
        type="button"
        aria-label={`Resend the invitation to ${invitation.email}`}
        onClick={() => resend.mutate()}
        disabled={resend.isPending}
      >
        Resend
      </button>
      <button
        type="button"
        className="danger"
        aria-label={`Cancel the invitation to ${invitation.email}`}
        onClick={() => cancel.mutate()}
        disabled={cancel.isPending}
      >
        Cancel
      </button>
      <ErrorNote error={error ? describeError(error) : null} />
    </>
  );
}

/** How the invitation reached (or is to reach) the invitee. */
function SentNote({ sent }: { sent: SentInvitation }) {
  if (sent.delivery === "smtp" || !sent.inviteLink)
    return (
      <p role="status">
        An email with the accept link went to <strong>{sent.invitation.email}</strong>. It expires{" "}
        {formatTime(sent.invitation.expiresAt)}.
      </p>
    );
  return (
    <div>
      <p role="status">
        No email was sent (this control plane has no SMTP_URL): send this link to{" "}
        <strong>{sent.invitation.email}</strong>. It works once and expires{" "}
        {formatTime(sent.invitation.expiresAt)}.
      </p>
      <CopyField label="Invitation link" value={sent.inviteLink} />
    </div>
  );
}

export function InviteDialog({
  open,
  standing,
  onClose,
}: {
  open: boolean;
  standing: Standing;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [sent, setSent] = useState<SentInvitation | null>(null);
  const invite = useMutation({
    mutationFn: (input: { email: string; role: "member" | "admin" }) => request(INVITE_MEMBER, { input }),
    onSuccess: (data) => {
      setSent(data.inviteMember);
      void queryClient.invalidateQueries({ queryKey: ["members"] });
    },
  });
  const close = () => {
    setSent(null);
    invite.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate({
      email: String(form.get("email")).trim(),
      role: form.get("role") === "admin" ? "admin" : "member",
    });
  };
  return (
    <Dialog open={open} title="Invite member" onClose={close}>
      {sent ? (
        <div>
          <SentNote sent={sent} />
          <div className="dialog-buttons">
            <button type="button" className="primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit}>
          <label>
            Email
            <input name="email" type="email" required autoComplete="off" placeholder="name@example.com" />
          </label>
          <label>
            Role
            <select name="role" defaultValue="member" aria-describedby="invite-role-hint">
              <option value="member">member (read-only)</option>
              {standing.owner ? (
                <option value="admin">admin (manages executors, nodes, keys, members)</option>
              ) : null}
            </select>
          </label>
          <p id="invite-role-hint" className="muted">
            {standing.owner
              ? "Ownership is transferred from the members list, never invited."
              : "Only the owner invites admins."}
          </p>
          <ErrorNote error={invite.error ? describeError(invite.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={invite.isPending}>
              Send invitation
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
