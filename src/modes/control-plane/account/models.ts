// The own-account inputs, checked at the resolver (graphql/input.ts).
import { type Static, Type } from "@sinclair/typebox";

export const ChangePasswordInput = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 256, description: "enter your current password" }),
  newPassword: Type.String({ minLength: 8, maxLength: 256, description: "use 8 to 256 characters" }),
});
export type ChangePasswordInput = Static<typeof ChangePasswordInput>;

export const UpdateProfileInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64, pattern: "\\S", description: "use 1 to 64 characters" }),
});
export type UpdateProfileInput = Static<typeof UpdateProfileInput>;
