// Delivers invitation emails. Pluggable: SMTP when SMTP_URL is configured, otherwise nothing is sent and
// the caller shows the accept link to the inviter (and it is logged), so a self-hosted control plane
// without mail still works. The one module that talks SMTP.
import type { Logger } from "../../../lib/log.ts";

export interface InvitationMessage {
  to: string;
  organizationName: string;
  inviterName: string;
  role: string;
  link: string;
  expiresAt: Date;
}

export type Delivery = "smtp" | "link";

export interface InvitationSender {
  readonly kind: Delivery;
  send(message: InvitationMessage): Promise<void>;
}

function render(m: InvitationMessage): { subject: string; text: string } {
  return {
    subject: `${m.inviterName} invited you to ${m.organizationName} on Novacula`,
    text: [
      `${m.inviterName} invited you to join ${m.organizationName} as ${m.role}.`,
      "",
      `Accept the invitation: ${m.link}`,
      "",
      `The link expires at ${m.expiresAt.toISOString()}. If you did not expect this email, ignore it.`,
    ].join("\n"),
  };
}

/** No mail: the link goes back to the inviter in the API answer and into the log. */
export class LinkSender implements InvitationSender {
  readonly kind = "link" as const;
  constructor(private readonly log: Logger) {}
  async send(m: InvitationMessage): Promise<void> {
    this.log.info(
      "invitation link (SMTP_URL is not set, so no email was sent; share the link with the invitee)",
      {
        to: m.to,
        organization: m.organizationName,
        role: m.role,
        link: m.link,
        expiresAt: m.expiresAt.toISOString(),
      },
    );
  }
}

/** SMTP through nodemailer; the URL carries host, port, TLS mode and credentials (never logged). */
export class SmtpSender implements InvitationSender {
  readonly kind = "smtp" as const;
  // biome-ignore lint/suspicious/noExplicitAny: nodemailer's transport type is loaded lazily
  private transport: Promise<any>;
  constructor(
    url: string,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    this.transport = import("nodemailer").then((nm) => nm.createTransport(url));
  }
  async send(m: InvitationMessage): Promise<void> {
    const { subject, text } = render(m);
    await (await this.transport).sendMail({ from: this.from, to: m.to, subject, text });
    this.log.info("invitation email sent", { to: m.to, organization: m.organizationName, role: m.role });
  }
}

export function createInvitationSender(smtpUrl: string | null, from: string, log: Logger): InvitationSender {
  return smtpUrl ? new SmtpSender(smtpUrl, from, log) : new LinkSender(log);
}
