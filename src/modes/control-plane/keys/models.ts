// The API key inputs, checked at the resolver (graphql/input.ts).
import { type Static, Type } from "@sinclair/typebox";

export const KeyName = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: "\\S",
  description: "use 1 to 32 characters",
});

export const CreateApiKeyInput = Type.Object({
  name: KeyName,
  expiresInDays: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
      description: "use 1..3650 or leave it empty for no expiry",
    }),
  ),
});
export type CreateApiKeyInput = Static<typeof CreateApiKeyInput>;
