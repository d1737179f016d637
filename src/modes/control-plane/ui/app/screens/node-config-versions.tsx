// Edit configuration's client versions: per role, a select of the versions the executor offers (its
// capabilities narrowed by the client catalog) for the client that role already runs. A role keeps its client
// for the node's life (another client means other data); its version may move in place. Which moves keep the
// data usable is the server's call (the client's upgrade policy): this form offers every version the executor
// can run and shows a refusal next to the select, whose path is the one the server names it by.
import type { ChainOffer, FieldError } from "../api/node-flows.ts";
import { SelectField } from "./wizard-fields.tsx";
import type { Draft } from "./wizard-model.ts";
import { clientOptions } from "./wizard-rules.ts";

/** "geth@1.17.10" → its client's name. */
const clientOf = (pick: string) => pick.slice(0, pick.lastIndexOf("@"));
const versionOf = (pick: string) => pick.slice(pick.lastIndexOf("@") + 1);

/**
 * The "client@version" choices of a role: the executor's versions of the role's current client on the node's
 * network, the current one always among them (a version the catalog no longer offers stays selectable).
 */
export function versionChoices(
  chain: ChainOffer | undefined,
  role: string,
  network: string,
  current: string,
): string[] {
  const offered = clientOptions(chain, role, network).filter((o) => clientOf(o) === clientOf(current));
  return offered.includes(current) ? offered : [current, ...offered];
}

/** The paths the server names a role's version by (client-change.ts), one per role. */
export const versionPaths = (draft: Draft): string[] =>
  Object.keys(draft.clients).map((role) => `/spec/clients/${role}/version`);

export function ClientVersionFields(props: {
  chain: ChainOffer | undefined;
  draft: Draft;
  /** role → "client@version" of the node's spec when the form opened. */
  current: Record<string, string>;
  /** What carries the change out: only the agent gates a new version on health today. */
  executorKind: "agent" | "operator" | undefined;
  change: (patch: Partial<Draft>) => void;
  errors: FieldError[];
}) {
  const { chain, draft, current, change, errors } = props;
  return (
    <>
      {props.executorKind === "agent" ? (
        <p className="muted">
          A version change restarts only that role's process, on the same data; if the new version fails its
          health check, the previous one comes back by itself.
        </p>
      ) : null}
      {Object.entries(draft.clients).map(([role, pick]) => {
        const now = current[role] ?? pick;
        return (
          <SelectField
            key={role}
            label={`${clientOf(pick)} version (${role})`}
            path={`/spec/clients/${role}/version`}
            errors={errors}
            value={pick}
            options={versionChoices(chain, role, draft.network, now)}
            show={(o) => (o === now ? `${versionOf(o)} (current)` : versionOf(o))}
            onChange={(value) => change({ clients: { ...draft.clients, [role]: value } })}
          />
        );
      })}
    </>
  );
}
