// Form pieces the deploy wizard and Edit configuration share: a labelled field that shows its hint, its
// non-blocking warning and the server's errors for its JSON path (wired to the control with
// aria-describedby and aria-invalid, so a screen reader reads them too), and the select built on it.
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";
import type { FieldError } from "../api/node-flows.ts";
import { errorsAt } from "./wizard-rules.ts";

export interface ControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
}

/**
 * After a refused submit, focus moves to the first field the server named, so a keyboard or screen-reader
 * user lands on what to fix. Returns the form's ref and the function to call on each refusal.
 */
export function useFocusFirstInvalid() {
  const form = useRef<HTMLFormElement>(null);
  const [refusals, setRefusals] = useState(0);
  // Before paint, in the commit that shows the errors.
  useLayoutEffect(() => {
    if (refusals > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refusals]);
  return { form, refused: () => setRefusals((n) => n + 1) };
}

/** The id of the control that edits a spec path: server errors are placed by it. */
export const fieldId = (path: string) => `field${path.replace(/[^A-Za-z0-9]+/g, "-")}`;

export function Field(props: {
  label: string;
  /** The JSON path the server names this field by, e.g. /spec/resources/cpu. */
  path: string;
  errors: FieldError[];
  hint?: ReactNode;
  warning?: string;
  render: (control: ControlProps) => ReactNode;
}) {
  const id = fieldId(props.path);
  const mine = errorsAt(props.errors, props.path);
  const described = [
    props.hint ? `${id}-hint` : "",
    props.warning ? `${id}-warning` : "",
    mine.length ? `${id}-error` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={`field${mine.length ? " invalid" : ""}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.render({
        id,
        ...(described ? { "aria-describedby": described } : {}),
        ...(mine.length ? { "aria-invalid": true } : {}),
      })}
      {props.hint ? (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      ) : null}
      {props.warning ? (
        <p id={`${id}-warning`} className="warning">
          {props.warning}
        </p>
      ) : null}
      {mine.length ? (
        <ul id={`${id}-error`} className="field-errors">
          {mine.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              {e.path !== props.path ? `${e.path.slice(props.path.length + 1)}: ` : ""}
              {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function SelectField(props: {
  label: string;
  path: string;
  errors: FieldError[];
  value: string;
  options: string[];
  onChange: (value: string) => void;
  show?: (option: string) => string;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  return (
    <Field
      label={props.label}
      path={props.path}
      errors={props.errors}
      hint={props.hint}
      render={(control) => (
        <select
          {...control}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.target.value)}
        >
          {props.options.map((o) => (
            <option key={o} value={o}>
              {props.show ? props.show(o) : o}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** A text, number or multi-line field on Field; its value and changes are strings, as typed. */
export function TextField(props: {
  label: string;
  path: string;
  errors: FieldError[];
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  warning?: string;
  /** One entry per line. */
  multiline?: boolean;
  type?: "text" | "number" | "url";
  min?: number;
  max?: number;
  placeholder?: string;
}) {
  const { value, onChange, multiline, type, min, max, placeholder, ...field } = props;
  return (
    <Field
      {...field}
      render={(control) =>
        multiline ? (
          <textarea
            {...control}
            rows={3}
            spellCheck={false}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <input
            {...control}
            type={type ?? "text"}
            min={min}
            max={max}
            step={type === "number" ? 1 : undefined}
            placeholder={placeholder}
            autoComplete="off"
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    />
  );
}

/** The errors no field on screen claims: shown above the buttons so none is lost. */
export function UnplacedErrors({
  errors,
  placed,
}: {
  errors: FieldError[];
  placed: (path: string) => boolean;
}) {
  const rest = errors.filter((e) => !placed(e.path));
  if (rest.length === 0) return null;
  return (
    <ul className="field-errors" role="alert">
      {rest.map((e) => (
        <li key={`${e.path}:${e.message}`}>
          {e.path ? <code>{e.path}</code> : null} {e.message}
        </li>
      ))}
    </ul>
  );
}
