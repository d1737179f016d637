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
  // API keys and invitations.
  active: "good",
  disabled: "warn",
  expired: "muted",
  revoked: "bad",
  pending: "info",
  accepted: "good",
  cancelled: "muted",
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

/** "3 min ago", "in 2 h", or `never` when there is no time (reference §3.2 "Last used"). */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return Math.abs(seconds) < 10 ? "just now" : format.format(seconds, "second");
}

/**
 * A secret shown once (a new or rotated key): copyable, and the dialog closes only through the
 * acknowledgement button, never Escape, so nobody dismisses it by accident.
 */
export function OneTimeSecretDialog(props: {
  secret: string | null;
  title: string;
  label: string;
  children?: ReactNode;
  /** The closing button's words ("I've stored this key" unless told). */
  done?: string;
  onDone: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.secret && !dialog.open) dialog.showModal();
    if (!props.secret && dialog.open) dialog.close();
  }, [props.secret]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={(event) => event.preventDefault()}>
      <h2 id={titleId}>{props.title}</h2>
      {props.secret ? (
        <div>
          {props.children}
          <p>
            <strong>Shown only now:</strong> it is not stored and cannot be shown again. Copy it somewhere
            safe before closing.
          </p>
          <CopyField label={props.label} value={props.secret} />
          <div className="dialog-buttons">
            <button type="button" className="primary" onClick={props.onDone}>
              {props.done ?? "I've stored this key"}
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}

/** A destructive action confirmed by typing a word (a name): the button stays off until it matches. */
export function TypedConfirmDialog(props: {
  open: boolean;
  title: string;
  word: string;
  label: string;
  action: string;
  busy: boolean;
  error: string | null;
  children: ReactNode;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState("");
  const close = () => {
    setTyped("");
    props.onClose();
  };
  return (
    <Dialog open={props.open} title={props.title} onClose={close}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (typed === props.word) props.onConfirm();
        }}
      >
        {props.children}
        <label>
          {props.label}
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
        <ErrorNote error={props.error} />
        <div className="dialog-buttons">
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={typed !== props.word || props.busy}>
            {props.action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A yes/no confirmation for one action; its error shows inside the dialog. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  text: string;
  button: string;
  tone?: "primary" | "danger";
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <p>{props.text}</p>
      <ErrorNote error={props.error} />
      <div className="dialog-buttons">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className={props.tone ?? "danger"}
          disabled={props.busy}
          onClick={props.onConfirm}
        >
          {props.button}
        </button>
      </div>
    </Dialog>
  );
}
