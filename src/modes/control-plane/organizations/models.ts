// The organization inputs, checked at the resolver (graphql/input.ts): names, URL-safe slugs and logos.
import { type Static, Type } from "@sinclair/typebox";

export const MAX_LOGO_CHARS = 100_000;

export const OrganizationName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "\\S",
  description: "use 1 to 64 characters",
});

export const Slug = Type.String({
  pattern: "^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$",
  description: "use 1 to 48 lowercase letters, digits and '-', starting and ending with a letter or digit",
});

export const Logo = Type.String({
  maxLength: MAX_LOGO_CHARS,
  pattern: "^(|https://\\S+|data:image/(png|jpeg|svg\\+xml|webp);base64,[A-Za-z0-9+/=]+)$",
  description: `use https://… or data:image/png;base64,… (at most ${MAX_LOGO_CHARS} characters), or empty for none`,
});

export const CreateOrganizationInput = Type.Object({
  name: OrganizationName,
  slug: Type.Optional(Type.Union([Slug, Type.Null()], { description: Slug.description })),
});
export type CreateOrganizationInput = Static<typeof CreateOrganizationInput>;

export const UpdateOrganizationInput = Type.Object({
  name: Type.Optional(
    Type.Union([OrganizationName, Type.Null()], { description: OrganizationName.description }),
  ),
  slug: Type.Optional(Type.Union([Slug, Type.Null()], { description: Slug.description })),
  logo: Type.Optional(Type.Union([Logo, Type.Null()], { description: Logo.description })),
});
export type UpdateOrganizationInput = Static<typeof UpdateOrganizationInput>;
