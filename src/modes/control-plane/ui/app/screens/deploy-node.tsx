// Deploy node (reference §6.4): Target → Resources → Configuration → Review. Each Next asks the server
// (checkNode: the checks createNode runs, without writing) and stays on the step while a field of it or of
// an earlier step is refused, showing the server's message next to that field; Deploy sends the reviewed
// spec to createNode and, if it is still refused, goes back to the first step with a refused field.
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useLayoutEffect, useRef, useState } from "react";
import { CREATE_NODE } from "../api/documents.ts";
import { ApiError, describeError, request } from "../api/graphql.ts";
import { CHECK_NODE, type ExecutorOffer, type FieldError } from "../api/node-flows.ts";
import { executorsQuery, useCanManage } from "../api/queries.ts";
import { EmptyState, ErrorNote } from "../components/ui.tsx";
import { ConfigFields, configPaths, useChainFormHints } from "./wizard-config.tsx";
import { UnplacedErrors, useFocusFirstInvalid } from "./wizard-fields.tsx";
import { type Draft, emptyDraft, STEPS, type StepId, toSpec } from "./wizard-model.ts";
import { ResourcesStep, resourcePaths } from "./wizard-resources.tsx";
import { ReviewStep } from "./wizard-review.tsx";
import { chainsOf, errorsAfter, narrowTarget, stepOf } from "./wizard-rules.ts";
import { TargetStep, targetPaths } from "./wizard-target.tsx";
import "./wizard.css";

const order = (step: StepId) => STEPS.findIndex((s) => s.id === step);

function input(draft: Draft) {
  return {
    executorId: draft.executorId,
    spec: toSpec(draft),
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
  };
}

export function DeployNodeScreen() {
  const canManage = useCanManage();
  const navigate = useNavigate();
  const [typed, setTyped] = useState<Draft>(emptyDraft);
  const listed = useQuery(executorsQuery);
  // Online executors that run nodes; the chosen one stays listed (marked offline) if it drops out meanwhile,
  // rather than the form silently moving the node elsewhere.
  const executors = (listed.data?.executors ?? []).filter(
    (e) =>
      (e.status === "online" || e.id === typed.executorId) &&
      (e.capabilities.supportedChains?.length ?? 0) > 0,
  ) as unknown as ExecutorOffer[];
  const [step, setStep] = useState<StepId>("target");
  const [errors, setErrors] = useState<FieldError[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const draft = narrowTarget(executors, typed);
  const executor = executors.find((e) => e.id === draft.executorId);
  const chain = chainsOf(executor).find((c) => c.chain === draft.chain);
  const hints = useChainFormHints(draft.chain);

  // A new step moves focus to its heading, so keyboard and screen-reader users start at its top (before
  // the browser paints it, so nothing sees the new step with focus still on the old button).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the step change is the trigger, not an input
  useLayoutEffect(() => heading.current?.focus(), [step]);
  const focus = useFocusFirstInvalid();

  const check = useMutation({
    mutationFn: () => request(CHECK_NODE, { data: input(draft) }),
  });
  const create = useMutation({
    mutationFn: () => request(CREATE_NODE, { data: input(draft) }),
    onSuccess: (data) => navigate({ to: "/nodes/$nodeId", params: { nodeId: data.createNode.id } }),
    onError: (error) => {
      if (!(error instanceof ApiError) || error.details.length === 0) return;
      setErrors(error.details);
      const first = error.details.map((d) => stepOf(d.path)).sort((a, b) => order(a) - order(b))[0];
      if (first) setStep(first);
      focus.refused();
    },
  });

  if (!canManage) {
    return <EmptyState>Deploying a node needs the owner or admin role in this organization.</EmptyState>;
  }
  if (listed.isPending) return <p aria-busy="true">Loading…</p>;
  if (executors.length === 0) {
    return (
      <EmptyState>
        No online executor can run nodes yet — <Link to="/executors">Connect executor</Link>, then come back.
      </EmptyState>
    );
  }

  const change = (patch: Partial<Draft>) => {
    setTyped(narrowTarget(executors, { ...draft, ...patch }));
    setErrors(errorsAfter(errors, patch));
  };
  const next = async () => {
    const answer = await check.mutateAsync().catch(() => null);
    if (!answer) return;
    // Refusals of later steps wait for those steps (a blank name, a default port, are judged there).
    const here = answer.checkNode.errors.filter((e) => order(stepOf(e.path)) <= order(step));
    setErrors(here);
    if (here.length > 0) {
      const first = here.map((e) => stepOf(e.path)).sort((a, b) => order(a) - order(b))[0]!;
      setStep(first);
      focus.refused();
      return;
    }
    setStep(STEPS[order(step) + 1]!.id);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (step === "review") create.mutate();
    else void next();
  };
  const placed = (path: string) => {
    const fields =
      step === "target"
        ? targetPaths(draft)
        : step === "resources"
          ? resourcePaths()
          : step === "configuration"
            ? configPaths({ chain, draft, hints })
            : [];
    return fields.some((f) => path === f || path.startsWith(`${f}/`));
  };
  const title = STEPS[order(step)]!.title;
  return (
    <section aria-labelledby="deploy-title">
      <h1 id="deploy-title">Deploy node</h1>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id} aria-current={s.id === step ? "step" : undefined}>
            {i < order(step) ? (
              <button type="button" className="link" onClick={() => setStep(s.id)}>
                {i + 1}. {s.title}
              </button>
            ) : (
              <span>
                {i + 1}. {s.title}
              </span>
            )}
          </li>
        ))}
      </ol>
      <form ref={focus.form} onSubmit={submit} className="wizard">
        <fieldset>
          <legend>
            <h2 ref={heading} tabIndex={-1}>
              {title}
            </h2>
          </legend>
          {step === "target" ? (
            <TargetStep executors={executors} draft={draft} change={change} errors={errors} />
          ) : null}
          {step === "resources" ? (
            <ResourcesStep executor={executor} chain={chain} draft={draft} change={change} errors={errors} />
          ) : null}
          {step === "configuration" ? (
            <ConfigFields
              executor={executor}
              chain={chain}
              hints={hints}
              draft={draft}
              change={change}
              errors={errors}
              withName
            />
          ) : null}
          {step === "review" ? (
            <ReviewStep executor={executor} hints={hints} draft={draft} spec={toSpec(draft)} />
          ) : null}
        </fieldset>
        <UnplacedErrors errors={errors} placed={placed} />
        <ErrorNote error={check.error ? describeError(check.error) : null} />
        <ErrorNote
          error={
            create.error && !(create.error instanceof ApiError && create.error.details.length)
              ? describeError(create.error)
              : null
          }
        />
        <div className="dialog-buttons">
          <Link to="/nodes" search={{}} className="button">
            Cancel
          </Link>
          {step !== "target" ? (
            <button type="button" onClick={() => setStep(STEPS[order(step) - 1]!.id)}>
              Back
            </button>
          ) : null}
          {step === "review" ? (
            <button type="submit" className="primary" disabled={create.isPending}>
              Deploy
            </button>
          ) : (
            <button type="submit" className="primary" disabled={check.isPending}>
              Next
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
