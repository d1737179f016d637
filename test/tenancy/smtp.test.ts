// With SMTP_URL set, invitations go out as email through a real SMTP server (smtp-server on loopback):
// the inviter gets no link back, the invitee's email carries a working one, and the log doesn't.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SMTPServer } from "smtp-server";
import { eventually } from "../../src/lib/eventually.ts";
import type { ControlPlaneHandle } from "../harness/control-plane.ts";
import { Api, startTenancyPlane } from "./world.ts";

const mails: { to: string[]; body: string }[] = [];
let smtp: any;
let cp: ControlPlaneHandle;
let api: Api;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream: any, session: any, done: () => void) {
      let body = "";
      stream.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r: { address: string }) => r.address), body });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = smtp.server.address().port;
  cp = await startTenancyPlane({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: "Novacula <novacula@tenancy.test>",
  });
  api = new Api(cp);
}, 60_000);

afterAll(async () => {
  await cp?.stop();
  await new Promise<void>((resolve) => smtp?.close(resolve));
});

test("an invitation is emailed with a working accept link, which is neither returned nor logged", async () => {
  const owner = await api.user("MailOwner");
  const invitee = await api.user("MailInvitee");
  const sent = await api.ok(
    "mutation($e: String!) { inviteMember(input: { email: $e, role: member }) { delivery inviteLink } }",
    { e: invitee.email },
    { cookie: owner.cookie },
  );
  expect(sent.inviteMember).toEqual({ delivery: "smtp", inviteLink: null });
  const mail = await eventually(() => mails.find((m) => m.to.includes(invitee.email)), {
    message: "the invitation email",
  });
  const link = /http:\/\/localhost:\d+\/invite\/[A-Za-z0-9_-]+/.exec(mail.body.replace(/=\r?\n/g, ""))?.[0];
  expect(link).toBeDefined();
  expect(cp.logs.some((l) => l.includes(link!))).toBe(false);
  const accepted = await api.ok(
    "mutation($t: String!) { acceptInvitation(token: $t) { id } }",
    { t: link!.split("/").pop() },
    { cookie: invitee.cookie },
  );
  expect(accepted.acceptInvitation.id).toBe(owner.personalOrgId);
  api.watch.assertClean(cp.logs);
});
