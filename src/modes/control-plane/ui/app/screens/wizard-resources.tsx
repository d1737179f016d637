// Deploy step 2, Resources: CPU, memory and disk pre-filled with the network's defaults, optional limits
// (best-effort cgroups on an agent), and storage size and class on an operator. Going below a default
// shows a warning beside the field and never blocks.
import type { ChainOffer, ExecutorOffer, FieldError } from "../api/node-flows.ts";
import { SelectField, TextField } from "./wizard-fields.tsx";
import { type Draft, RESOURCE_FIELDS, type ResourceField } from "./wizard-model.ts";
import { resourceWarnings } from "./wizard-rules.ts";

const LABELS: Record<ResourceField, [string, string]> = {
  cpu: ["CPU request", 'cores, e.g. "2" or "500m"'],
  memory: ["Memory request", 'e.g. "8Gi"'],
  disk: ["Disk", 'e.g. "300Gi"'],
  cpuLimit: ["CPU limit", "optional; blank: no limit"],
  memoryLimit: ["Memory limit", "optional; blank: no limit"],
};

export function resourcePaths(): string[] {
  return ["/spec/resources", "/spec/storage"];
}

export function ResourcesStep(props: {
  executor: ExecutorOffer | undefined;
  chain: ChainOffer | undefined;
  draft: Draft;
  change: (patch: Partial<Draft>) => void;
  errors: FieldError[];
}) {
  const { draft, change, errors, executor } = props;
  const warnings = resourceWarnings(draft, props.chain);
  const defaults = props.chain?.defaults[draft.network];
  const storageClasses = executor?.capabilities.storageClasses ?? [];
  return (
    <>
      {defaults ? (
        <p className="muted">
          Defaults for {draft.chain} {draft.network}: {defaults.cpu} CPU, {defaults.memory} memory,{" "}
          {defaults.storage.data} disk.
        </p>
      ) : null}
      {RESOURCE_FIELDS.map((field) => (
        <TextField
          key={field}
          label={LABELS[field][0]}
          path={`/spec/resources/${field}`}
          errors={errors}
          hint={LABELS[field][1]}
          warning={warnings[field]}
          value={draft.resources[field]}
          onChange={(text) => change({ resources: { ...draft.resources, [field]: text } })}
        />
      ))}
      {executor?.kind === "operator" ? (
        <>
          <TextField
            label="Storage size"
            path="/spec/storage/size"
            errors={errors}
            hint='The volume claim, e.g. "500Gi"; blank: the disk above.'
            value={draft.storageSize}
            onChange={(storageSize) => change({ storageSize })}
          />
          <SelectField
            label="Storage class"
            path="/spec/storage/storageClass"
            errors={errors}
            value={draft.storageClass}
            options={["", ...storageClasses]}
            show={(c) => c || "the cluster's default"}
            onChange={(storageClass) => change({ storageClass })}
          />
        </>
      ) : null}
    </>
  );
}
