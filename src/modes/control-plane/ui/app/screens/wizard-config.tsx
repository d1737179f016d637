// Deploy step 3 and the Edit configuration form: the override schema the executor reports (arguments per
// client, keys per config file, with the managed ones named and the known ones as hints), the chain's typed
// settings, and under Advanced the ports, restart policy (agent) and service type (operator).
import { useQuery } from "@tanstack/react-query";
import { request } from "../api/graphql.ts";
import {
  CHAIN_FORM_HINTS,
  type ChainOffer,
  type ExecutorOffer,
  type FieldError,
  type FormHints,
} from "../api/node-flows.ts";
import { SelectField, TextField } from "./wizard-fields.tsx";
import type { Draft } from "./wizard-model.ts";

interface ConfigProps {
  executor: ExecutorOffer | undefined;
  chain: ChainOffer | undefined;
  hints: FormHints | null;
  draft: Draft;
  change: (patch: Partial<Draft>) => void;
  errors: FieldError[];
  /** Deploy asks for the node's name; an edit keeps it. */
  withName: boolean;
}

/** The chain's typed settings and named ports, as this control plane's adapter knows them (fixed per build). */
export function useChainFormHints(chain: string): FormHints | null {
  return (
    useQuery({
      queryKey: ["chainFormHints", chain],
      queryFn: () => request(CHAIN_FORM_HINTS, { chain }),
      enabled: chain !== "",
      staleTime: Number.POSITIVE_INFINITY,
    }).data?.chainFormHints ?? null
  );
}

/** The clients of the override schema this node runs (by client or role name), else all of them. */
function argClients(props: Pick<ConfigProps, "chain" | "draft">): string[] {
  const all = Object.keys(props.chain?.configOverrideSchema.args ?? {});
  const chosen = new Set([
    ...Object.keys(props.draft.clients),
    ...Object.values(props.draft.clients).map((c) => c.slice(0, c.lastIndexOf("@"))),
  ]);
  const mine = all.filter((c) => chosen.has(c));
  return mine.length > 0 ? mine : all;
}

export function configPaths(props: Pick<ConfigProps, "chain" | "draft" | "hints">): string[] {
  return [
    "/name",
    ...argClients(props).map((c) => `/spec/overrides/args/${c}`),
    ...Object.keys(props.chain?.configOverrideSchema.files ?? {}).map((f) => `/spec/overrides/files/${f}`),
    "/spec/checkpointSyncUrl",
    ...Object.keys(props.hints?.settings ?? {}).map((s) => `/spec/settings/${s}`),
    ...Object.keys(props.hints?.ports ?? {}).map((p) => `/spec/ports/${p}`),
    "/spec/restartPolicy",
    "/spec/serviceType",
  ];
}

function Known({ entries }: { entries: [string, string][] }) {
  if (entries.length === 0) return null;
  return (
    <details>
      <summary>Known keys</summary>
      <dl className="known">
        {entries.map(([k, d]) => (
          <div key={k}>
            <dt>
              <code>{k}</code>
            </dt>
            <dd>{d}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function ConfigFields(props: ConfigProps) {
  const { draft, change, errors, chain, hints, executor } = props;
  const schema = chain?.configOverrideSchema;
  // Advanced starts folded, and opens when the server names a field inside it.
  const advancedErrors = errors.some((e) => /^\/spec\/(ports|restartPolicy|serviceType)(\/|$)/.test(e.path));
  return (
    <>
      {props.withName ? (
        <TextField
          label="Node ID (name)"
          path="/name"
          errors={errors}
          hint="Lowercase letters, digits and '-'; generated from chain, network and executor when blank."
          placeholder="generated when blank"
          value={draft.name}
          onChange={(name) => change({ name })}
        />
      ) : null}
      {argClients(props).map((client) => {
        const entry = schema!.args[client]!;
        return (
          <TextField
            key={client}
            label={`Arguments for ${client}`}
            path={`/spec/overrides/args/${client}`}
            errors={errors}
            hint={
              <>
                One per line, added after the managed flags. Managed (refused):{" "}
                <code>{entry.managedFlags.join(" ")}</code>
                <Known entries={Object.entries(entry.knownFlags).map(([f, v]) => [f, v.description])} />
              </>
            }
            multiline
            value={draft.args[client] ?? ""}
            onChange={(text) => change({ args: { ...draft.args, [client]: text } })}
          />
        );
      })}
      {Object.entries(schema?.files ?? {}).map(([file, entry]) => (
        <TextField
          key={file}
          label={`Overrides for ${file}`}
          path={`/spec/overrides/files/${file}`}
          errors={errors}
          hint={
            <>
              One <code>key = value</code> per line. Managed (refused):{" "}
              <code>{entry.managedPaths.join(" ")}</code>
              <Known
                entries={Object.entries(entry.knownKeys).map(([k, v]) => [k, `${v.type}: ${v.description}`])}
              />
            </>
          }
          multiline
          value={draft.files[file] ?? ""}
          onChange={(text) => change({ files: { ...draft.files, [file]: text } })}
        />
      ))}
      {draft.chain === "ethereum" ? (
        <TextField
          label="Checkpoint sync URL"
          path="/spec/checkpointSyncUrl"
          errors={errors}
          hint="The consensus client's trusted checkpoint source; blank: the network's default."
          type="url"
          value={draft.checkpointSyncUrl}
          onChange={(checkpointSyncUrl) => change({ checkpointSyncUrl })}
        />
      ) : null}
      {Object.entries(hints?.settings ?? {}).map(([name, s]) => (
        <TextField
          key={name}
          label={name}
          path={`/spec/settings/${name}`}
          errors={errors}
          hint={`${s.description}; ${s.min} to ${s.max}, default ${s.default}.`}
          type="number"
          min={s.min}
          max={s.max}
          placeholder={String(s.default)}
          value={draft.settings[name] ?? ""}
          onChange={(text) => change({ settings: { ...draft.settings, [name]: text } })}
        />
      ))}
      <details className="advanced" open={advancedErrors}>
        <summary>Advanced</summary>
        {Object.entries(hints?.ports ?? {}).map(([name, port]) => (
          <TextField
            key={name}
            label={`${name} port`}
            path={`/spec/ports/${name}`}
            errors={errors}
            hint={`Blank: ${port}.`}
            type="number"
            min={1}
            max={65535}
            placeholder={String(port)}
            value={draft.ports[name] ?? ""}
            onChange={(text) => change({ ports: { ...draft.ports, [name]: text } })}
          />
        ))}
        {executor?.kind !== "operator" ? (
          <SelectField
            label="Restart policy"
            path="/spec/restartPolicy"
            errors={errors}
            value={draft.restartPolicy}
            options={["", "on-failure", "always", "no"]}
            show={(p) => p || "the client's default (on-failure)"}
            onChange={(restartPolicy) => change({ restartPolicy })}
          />
        ) : (
          <SelectField
            label="Service type"
            path="/spec/serviceType"
            errors={errors}
            value={draft.serviceType}
            options={["", "ClusterIP", "NodePort", "LoadBalancer"]}
            show={(t) => (t === "" || t === "ClusterIP" ? "ClusterIP (internal only)" : t)}
            onChange={(serviceType) => change({ serviceType })}
          />
        )}
      </details>
    </>
  );
}
