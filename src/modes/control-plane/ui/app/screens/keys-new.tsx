// New key and Create token (reference §3.2, §6.11): one form for both purposes. An executor key has a
// Target (a new executor, or an existing one, which pre-fills its name); both have Name (1–32 characters)
// and Expires in (days) (empty: no expiry). Checked here as the server checks it, so a mistake names its
// field before anything is sent; the server's refusal shows in the same place; the created key or token
// goes to the one-time dialog.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { executorsQuery } from "../api/queries.ts";
import { CREATE_API_KEY, CREATE_PERSONAL_ACCESS_TOKEN, type CreatedKey } from "../api/tenancy.ts";
import { Dialog, ErrorNote } from "../components/ui.tsx";

export const MAX_KEY_NAME = 32;
export const MAX_EXPIRY_DAYS = 3650;

/** The problem with a key's name and expiry, named by field, or null when the server will accept them. */
export function newKeyProblem(name: string, days: string): string | null {
  if (name.trim() === "") return "Name: enter 1 to 32 characters.";
  if (name.length > MAX_KEY_NAME) return `Name: use at most 32 characters (this one has ${name.length}).`;
  if (days.trim() === "") return null;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > MAX_EXPIRY_DAYS)
    return `Expires in (days): use a whole number from 1 to ${MAX_EXPIRY_DAYS}, or leave it empty for no expiry.`;
  return null;
}

export type KeyPurpose = "executor" | "personal";

/** What differs between an executor key and a personal access token in the form. */
const FORM: Record<KeyPurpose, { title: string; submit: string; noun: string }> = {
  executor: { title: "New key", submit: "Create key", noun: "key" },
  personal: { title: "Create token", submit: "Create token", noun: "token" },
};

/** Creates the key or token; the server checks the same rules as newKeyProblem and names the field. */
async function createKey(purpose: KeyPurpose, input: { name: string; expiresInDays: number | null }) {
  if (purpose === "personal")
    return (await request(CREATE_PERSONAL_ACCESS_TOKEN, { input })).createPersonalAccessToken;
  return (await request(CREATE_API_KEY, { input })).createApiKey;
}

export function NewKeyDialog(props: {
  purpose: KeyPurpose;
  open: boolean;
  onClose: () => void;
  onCreated: (created: CreatedKey) => void;
}) {
  const queryClient = useQueryClient();
  const form = FORM[props.purpose];
  const hint = useId();
  const forExecutor = props.purpose === "executor";
  const executors = useQuery({ ...executorsQuery, enabled: props.open && forExecutor }).data?.executors ?? [];
  const [target, setTarget] = useState("");
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      createKey(props.purpose, {
        name: name.trim(),
        expiresInDays: days.trim() === "" ? null : Number(days),
      }),
    onSuccess: (created) => {
      close();
      props.onCreated(created);
      void queryClient.invalidateQueries({ queryKey: ["apiKeys"] });
    },
  });
  function close() {
    setTarget("");
    setName("");
    setDays("");
    setProblem(null);
    create.reset();
    props.onClose();
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = newKeyProblem(name, days);
    setProblem(found);
    if (!found) create.mutate();
  };
  const pickTarget = (id: string) => {
    setTarget(id);
    const executor = executors.find((e) => e.id === id);
    if (executor) setName(executor.name.slice(0, MAX_KEY_NAME));
  };
  return (
    <Dialog open={props.open} title={form.title} onClose={close}>
      <form onSubmit={submit} noValidate>
        {forExecutor ? (
          <label>
            Target
            <select value={target} onChange={(e) => pickTarget(e.target.value)}>
              <option value="">New executor</option>
              {executors.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name} ({e.kind})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={MAX_KEY_NAME}
            required
            autoComplete="off"
            aria-describedby={`${hint}-name`}
          />
        </label>
        <p id={`${hint}-name`} className="muted">
          1 to 32 characters. Fixed once created.
        </p>
        <label>
          Expires in (days)
          <input
            value={days}
            onChange={(e) => setDays(e.target.value)}
            inputMode="numeric"
            placeholder="No expiry"
            aria-describedby={`${hint}-expiry`}
          />
        </label>
        <p id={`${hint}-expiry`} className="muted">
          Empty: the {form.noun} never expires. To change the expiry later, create a new {form.noun}.
        </p>
        <ErrorNote error={problem ?? (create.error ? describeError(create.error) : null)} />
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            {form.submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
