// Deploy step 4, Review: where the node goes, the ports it will listen on (defaults filled in), and the
// spec exactly as createNode will receive it.
import type { ExecutorOffer, FormHints } from "../api/node-flows.ts";
import type { Draft } from "./wizard-model.ts";

export function ReviewStep(props: {
  executor: ExecutorOffer | undefined;
  hints: FormHints | null;
  draft: Draft;
  spec: Record<string, unknown>;
}) {
  const { draft, executor, hints, spec } = props;
  const ports = Object.entries(hints?.ports ?? {}).map(
    ([name, port]) => [name, draft.ports[name]?.trim() || String(port)] as const,
  );
  return (
    <>
      <dl className="review">
        <div>
          <dt>Executor</dt>
          <dd>
            {executor?.name} ({executor?.kind})
          </dd>
        </div>
        <div>
          <dt>Node ID</dt>
          <dd>{draft.name.trim() || "generated from chain, network and executor"}</dd>
        </div>
        {ports.map(([name, port]) => (
          <div key={name}>
            <dt>{name} port</dt>
            <dd>{port}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Novacula manages the data directory, the managed flags and the init steps. The spec as it will be
        sent:
      </p>
      <pre className="config">{JSON.stringify(spec, null, 2)}</pre>
    </>
  );
}
