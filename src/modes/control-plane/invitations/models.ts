// The invitation inputs, checked at the resolver (graphql/input.ts). Which roles may be invited by whom is
// the policy's and the service's business; the model checks the shape.
import { type Static, Type } from "@sinclair/typebox";

export const InviteMemberInput = Type.Object({
  email: Type.String({
    pattern: "^\\s*[^@\\s]{1,64}@[^@\\s]{1,255}\\s*$",
    description: "use name@example.com",
  }),
  role: Type.Union([Type.Literal("owner"), Type.Literal("admin"), Type.Literal("member")], {
    description: "use member or admin",
  }),
});
export type InviteMemberInput = Static<typeof InviteMemberInput>;
