// Small shared pieces: phase badge, empty state, error note, confirm-by-typing dialog, copyable text.
// Dialogs are the native <dialog> (focus trap, Escape, inert background come with the browser).
import { type ReactNode, useEffect, useId, useRef, useState } from "react";

const PHASE_TONE: Record<string, string> = {
  running: "good",
  syncing: "info",
  starting: "info",
  configuring: "info",
  provisioning: "info",
  stopping: "warn",
  stopped: "muted",
  deleting: "warn",
  error: "bad",
  online: "good",
  offline: "bad",
};

export function Badge({ value, label }: { value: string; label?: string }) {
  return (
    <span className={`badge tone-${PHASE_TONE[value] ?? "muted"}`} title={label}>
      {value}
    </span>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <div className="empty" role="status">
      {children}
    </div>
  );
}

export function ErrorNote({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A modal dialog shown while `open`; closing (Escape, Cancel) calls onClose. */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onClose}>
      <h2 id={titleId}>{props.title}</h2>
      {props.open ? props.children : null}
    </dialog>
  );
}

/** Read-only text with a Copy button; when the clipboard is refused, the text stays selectable. */
export function CopyField({
  label,
  value,
  multiline,
}: {
  label: string;
  value: string;
  multiline?: boolean;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied");
    } catch {
      setCopied("Copy refused by the browser: select the text and copy it");
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} readOnly value={value} rows={Math.min(value.split("\n").length + 1, 12)} />
      ) : (
        <input id={id} readOnly value={value} />
      )}
      <button type="button" onClick={copy}>
        Copy {label.toLowerCase()}
      </button>
      <span role="status">{copied}</span>
    </div>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString();
}
