// New key (reference §3.2, §6.11): Target (a new executor, or an existing one, which pre-fills its name),
// Name (1–32 characters) and Expires in (days) (empty: no expiry). Checked here as the server checks it,
// so a mistake names its field before anything is sent; the created key goes to the one-time dialog.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError, request } from "../api/graphql.ts";
import { executorsQuery } from "../api/queries.ts";
import { CREATE_API_KEY, type CreatedKey } from "../api/tenancy.ts";
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

export function NewKeyDialog(props: {
  open: boolean;
  onClose: () => void;
  onCreated: (created: CreatedKey) => void;
}) {
  const queryClient = useQueryClient();
  const executors = useQuery({ ...executorsQuery, enabled: props.open }).data?.executors ?? [];
  const [target, setTarget] = useState("");
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      request(CREATE_API_KEY, {
        input: { name: name.trim(), expiresInDays: days.trim() === "" ? null : Number(days) },
      }),
    onSuccess: (data) => {
      close();
      props.onCreated(data.createApiKey);
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
    <Dialog open={props.open} title="New key" onClose={close}>
      <form onSubmit={submit} noValidate>
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
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={MAX_KEY_NAME}
            required
            autoComplete="off"
            aria-describedby="key-name-hint"
          />
        </label>
        <p id="key-name-hint" className="muted">
          1 to 32 characters. Fixed once created.
        </p>
        <label>
          Expires in (days)
          <input
            value={days}
            onChange={(e) => setDays(e.target.value)}
            inputMode="numeric"
            placeholder="No expiry"
            aria-describedby="key-expiry-hint"
          />
        </label>
        <p id="key-expiry-hint" className="muted">
          Empty: the key never expires. To change the expiry later, create a new key.
        </p>
        <ErrorNote error={problem ?? (create.error ? describeError(create.error) : null)} />
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={create.isPending}>
            Create key
          </button>
        </div>
      </form>
    </Dialog>
  );
}
