// Tenancy tables of better-auth's organization plugin, plus our `active` flag on organizations.
import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { user } from "./auth.ts";
import { bool, createdAt, id, timestampMs } from "./common.ts";

export const organization = sqliteTable("organization", {
  id: id(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  createdAt: createdAt(),
  metadata: text("metadata"),
  /** Deactivated organizations keep their data but block sign-in and executor syncs. */
  active: bool("active").notNull().default(true),
  /** The organization created for a user at sign-up: renamable and deactivatable, never deleted. */
  personal: bool("personal").notNull().default(false),
});

export const member = sqliteTable(
  "member",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    role: text("role").notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("member_org_user_idx").on(t.organizationId, t.userId),
    index("member_user_idx").on(t.userId),
  ],
);

export const invitation = sqliteTable(
  "invitation",
  {
    id: id(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organization.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: text("role"),
    status: text("status").notNull().default("pending"),
    expiresAt: timestampMs("expires_at").notNull(),
    createdAt: createdAt(),
    inviterId: text("inviter_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** SHA-256 of the accept-link token; the token itself is only in the link (resend makes a new one). */
    tokenHash: text("token_hash").unique(),
    /** When it was accepted or cancelled. */
    respondedAt: timestampMs("responded_at"),
  },
  (t) => [index("invitation_org_idx").on(t.organizationId), index("invitation_email_idx").on(t.email)],
);
