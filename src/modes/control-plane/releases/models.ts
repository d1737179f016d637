// Inputs of the release catalog's mutations, checked where they enter (graphql/input.ts).
import { type Static, Type as T } from "@sinclair/typebox";
import { Platform } from "../../../protocol/artifacts.ts";

const Version = T.String({
  pattern: "^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$",
  description: "use a semver version such as 1.4.0 or 2.0.0-rc.1",
});
const ReleaseChannel = T.Union([T.Literal("stable"), T.Literal("beta"), T.Literal("dev")], {
  description: "use stable, beta or dev",
});

export const ReleaseArtifactInput = T.Object(
  {
    platform: Platform,
    sha256: T.String({
      pattern: "^[0-9a-f]{64}$",
      description: "the sha256 the upload answered (64 lower-case hex digits)",
    }),
    signature: T.String({
      minLength: 1,
      maxLength: 4096,
      description: "the minisign signature file's text (.minisig) of this binary",
    }),
  },
  { additionalProperties: false },
);

export const CreateReleaseInput = T.Object(
  {
    kind: T.Union([T.Literal("agent"), T.Literal("operator")], { description: "use agent or operator" }),
    version: Version,
    channel: ReleaseChannel,
    notes: T.Optional(T.String({ maxLength: 20_000, description: "at most 20000 characters" })),
    artifacts: T.Array(ReleaseArtifactInput, {
      minItems: 1,
      maxItems: 8,
      description: "one binary per platform (linux-x64, linux-arm64), each uploaded first",
    }),
  },
  { additionalProperties: false },
);
export type CreateReleaseInput = Static<typeof CreateReleaseInput>;

export const UpdateReleaseInput = T.Object(
  {
    channel: T.Optional(ReleaseChannel),
    notes: T.Optional(T.String({ maxLength: 20_000, description: "at most 20000 characters" })),
  },
  { additionalProperties: false },
);
export type UpdateReleaseInput = Static<typeof UpdateReleaseInput>;
