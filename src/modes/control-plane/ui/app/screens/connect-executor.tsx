// Connect executor (reference §6.2): kind, name and channel; the answer holds the executor key once and
// the install command that carries it. Both are shown with Copy buttons until the person closes the
// dialog, after which the key is gone from the page.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { CONNECT_EXECUTOR, type ConnectedExecutor } from "../api/documents.ts";
import { describeError, request } from "../api/graphql.ts";
import { CopyField, Dialog, ErrorNote } from "../components/ui.tsx";

export function ConnectExecutorDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState<ConnectedExecutor | null>(null);
  const connect = useMutation({
    mutationFn: (input: { kind: "agent" | "operator"; name: string; channel: "stable" | "beta" }) =>
      request(CONNECT_EXECUTOR, { input }),
    onSuccess: (data) => {
      setConnected(data.connectExecutor);
      void queryClient.invalidateQueries({ queryKey: ["executors"] });
    },
  });
  const close = () => {
    setConnected(null);
    connect.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    connect.mutate({
      kind: form.get("kind") === "operator" ? "operator" : "agent",
      name: String(form.get("name")).trim(),
      channel: form.get("channel") === "beta" ? "beta" : "stable",
    });
  };
  return (
    <Dialog open={open} title="Connect executor" onClose={close}>
      {connected ? (
        <div>
          <p>
            Executor <strong>{connected.name}</strong> ({connected.kind}, {connected.channel}) is ready to
            connect. The key is shown only now: store it or run the command before closing.
          </p>
          <CopyField label="Key" value={connected.key} />
          <CopyField label="Install command" value={connected.installCommand} multiline />
          <div className="dialog-buttons">
            <button type="button" className="primary" onClick={close}>
              I've stored this key
            </button>
          </div>
        </div>
      ) : (
        <form onSubmit={submit}>
          <label>
            Kind
            <select name="kind" defaultValue="agent">
              <option value="agent">agent (systemd, a Linux host)</option>
              <option value="operator">operator (Kubernetes)</option>
            </select>
          </label>
          <label>
            Name
            <input
              name="name"
              required
              maxLength={63}
              autoComplete="off"
              aria-describedby="executor-name-hint"
            />
          </label>
          <p id="executor-name-hint" className="muted">
            Unique in the organization: letters, digits, '.', '_' or '-'. Reusing a name reuses its row.
          </p>
          <label>
            Channel
            <select name="channel" defaultValue="stable">
              <option value="stable">stable</option>
              <option value="beta">beta</option>
            </select>
          </label>
          <ErrorNote error={connect.error ? describeError(connect.error) : null} />
          <div className="dialog-buttons">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={connect.isPending}>
              Connect
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
