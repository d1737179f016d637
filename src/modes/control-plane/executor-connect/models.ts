// The connectExecutor input, checked at the resolver (graphql/input.ts).
import { type Static, Type } from "@sinclair/typebox";

export const ConnectExecutorInput = Type.Object({
  kind: Type.Union([Type.Literal("agent"), Type.Literal("operator")], {
    description: "use agent or operator",
  }),
  // Surrounding spaces are trimmed by the service.
  name: Type.String({
    pattern: "^\\s*[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?\\s*$",
    description: "use 1 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
  }),
  channel: Type.Optional(
    Type.Union([Type.Literal("stable"), Type.Literal("beta"), Type.Null()], {
      description: "use stable or beta (dev is set in the executor's own config)",
    }),
  ),
});
export type ConnectExecutorInput = Static<typeof ConnectExecutorInput>;
