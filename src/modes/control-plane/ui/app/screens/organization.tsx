// Organization settings (reference §3.1, §6.12): Name, Slug and Logo (an https:// URL or a small image
// file, kept as a data: URL), editable by owners and admins; Deactivate, owner only, confirmed by typing
// the organization's slug: it blocks sign-in and executor syncs until a system admin reactivates it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "@tanstack/react-router";
import { type ChangeEvent, type FormEvent, useState } from "react";
import { signOut } from "../api/auth.ts";
import { describeError, request } from "../api/graphql.ts";
import { useCanManage } from "../api/queries.ts";
import {
  DEACTIVATE_ORGANIZATION,
  ORGANIZATION,
  type OrganizationDetail,
  UPDATE_ORGANIZATION,
} from "../api/tenancy.ts";
import { EmptyState, ErrorNote, TypedConfirmDialog } from "../components/ui.tsx";
import { useStanding } from "./members.tsx";

const MAX_LOGO_CHARS = 100_000;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** What is wrong with the form, named by field, or null (the server's own rules: organizations/models.ts). */
export function organizationProblem(name: string, slug: string, logo: string): string | null {
  if (name.trim() === "" || name.length > 64) return "Name: use 1 to 64 characters.";
  if (!SLUG.test(slug))
    return "Slug: use 1 to 48 lowercase letters, digits and '-', starting and ending with a letter or digit.";
  if (logo !== "" && !/^https:\/\/\S+$/.test(logo) && !logo.startsWith("data:image/"))
    return "Logo: use an https:// address or choose an image file, or leave it empty for none.";
  if (logo.length > MAX_LOGO_CHARS) return "Logo: this image is too large; choose one under about 70 KB.";
  return null;
}

export function OrganizationScreen() {
  const query = useQuery({ queryKey: ["organization"], queryFn: () => request(ORGANIZATION) });
  const organization = query.data?.organization;
  return (
    <section aria-labelledby="organization-title">
      <header className="page-header">
        <h1 id="organization-title">Organization</h1>
      </header>
      <ErrorNote error={query.error ? describeError(query.error) : null} />
      {query.isSuccess && !organization ? (
        <EmptyState>
          You are not working in an organization — accept an invitation, or ask a system administrator.
        </EmptyState>
      ) : null}
      {organization ? <OrganizationForm key={organization.id} organization={organization} /> : null}
      {organization ? <Deactivate organization={organization} /> : null}
    </section>
  );
}

function OrganizationForm({ organization }: { organization: OrganizationDetail }) {
  const canManage = useCanManage();
  const queryClient = useQueryClient();
  const [name, setName] = useState(organization.name);
  const [slug, setSlug] = useState(organization.slug);
  const [logo, setLogo] = useState(organization.logo ?? "");
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () => request(UPDATE_ORGANIZATION, { input: { name: name.trim(), slug, logo } }),
    onSuccess: () => {
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: ["organization"] });
      void queryClient.invalidateQueries({ queryKey: ["viewer"] });
      void queryClient.invalidateQueries({ queryKey: ["organizations"] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const found = organizationProblem(name, slug, logo);
    setProblem(found);
    if (!found) save.mutate();
  };
  const pickFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => setLogo(String(reader.result));
    reader.readAsDataURL(file);
  };
  return (
    <form onSubmit={submit} className="settings-form" noValidate>
      <fieldset disabled={!canManage}>
        <legend className="sr-only">Organization settings</legend>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={64} required />
        </label>
        <label>
          Slug
          <input
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            maxLength={48}
            aria-describedby="slug-hint"
            required
          />
        </label>
        <p id="slug-hint" className="muted">
          URL-safe: lowercase letters, digits and '-'.
        </p>
        <div className="logo-field">
          {logo ? <img src={logo} alt="Current logo" className="logo-preview" /> : null}
          <label>
            Logo address
            <input
              value={logo.startsWith("data:") ? "(uploaded image)" : logo}
              readOnly={logo.startsWith("data:")}
              onChange={(e) => setLogo(e.target.value)}
              placeholder="https://example.com/logo.png"
            />
          </label>
          {canManage ? (
            <>
              <label>
                Or upload an image (PNG, JPEG, SVG or WebP)
                <input
                  type="file"
                  accept="image/png,image/jpeg,image/svg+xml,image/webp"
                  onChange={pickFile}
                />
              </label>
              {logo ? (
                <button type="button" onClick={() => setLogo("")}>
                  Remove logo
                </button>
              ) : null}
            </>
          ) : null}
        </div>
        {canManage ? (
          <div className="form-buttons">
            <button type="submit" className="primary" disabled={save.isPending}>
              Save
            </button>
            {saved ? <span role="status">Saved.</span> : null}
          </div>
        ) : (
          <p className="muted">Only owners and admins change these settings.</p>
        )}
      </fieldset>
      <ErrorNote error={problem ?? (save.error ? describeError(save.error) : null)} />
    </form>
  );
}

function Deactivate({ organization }: { organization: OrganizationDetail }) {
  const standing = useStanding();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const deactivate = useMutation({
    mutationFn: () => request(DEACTIVATE_ORGANIZATION),
    onSuccess: async () => {
      // Work in a deactivated organization is refused: leave for the sign-in screen, which says why.
      await signOut();
      queryClient.clear();
      router.history.push("/sign-in");
    },
  });
  if (!standing?.owner) return null;
  return (
    <section className="danger-zone" aria-labelledby="deactivate-title">
      <h2 id="deactivate-title">Deactivate organization</h2>
      <p>
        Keeps every executor, node, key and audit row, but blocks sign-in and executor syncs: executors go
        offline and their nodes keep running unmanaged. Only a system administrator can reactivate it.
      </p>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Deactivate
      </button>
      <TypedConfirmDialog
        open={open}
        title={`Deactivate ${organization.name}?`}
        word={organization.slug}
        label="Organization slug"
        action="Deactivate organization"
        busy={deactivate.isPending}
        error={deactivate.error ? describeError(deactivate.error) : null}
        onConfirm={() => deactivate.mutate()}
        onClose={() => setOpen(false)}
      >
        <p>
          Everyone in {organization.name} loses access and its executors stop syncing. Type the slug,{" "}
          <strong>{organization.slug}</strong>, to confirm.
        </p>
      </TypedConfirmDialog>
    </section>
  );
}
