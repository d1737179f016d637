// The ChainAdapter conformance suite: every adapter's test file calls runAdapterConformance(). It pins the
// guarantees the executors rely on: deterministic plans, fixed argument order, no NodeSpec field dropped
// silently, closed network lists, managed override keys rejected with their path, unknown ones passed through,
// and a capability the control plane accepts. And the ones the control plane relies on to refuse a bad spec
// before it is written: validate() judges targets by the executor's offer and agrees with plan() on every
// platform, hostPorts() names exactly the ports plan() binds with their spec paths, and neither touches its
// input.
import { describe, expect, test } from "bun:test";
import type { TSchema } from "@sinclair/typebox";
import type { ChainAdapter, ConfigOverrideSchema, PlanEnv, Platform } from "../../src/adapters/types.ts";
import { ChainCapability } from "../../src/protocol/capabilities.ts";
import { NodeSpec } from "../../src/protocol/node-spec.ts";
import { PROCESS_STATUSES } from "../../src/protocol/observed.ts";
import { compileValidator } from "../../src/protocol/validate.ts";

export interface FieldVariant {
  /** A variant of the base spec that exercises the field. */
  spec: NodeSpec;
  /** "changes-plan": valid, and the plan differs from the base plan; "rejected": validate() names the field. */
  expect: "changes-plan" | "rejected";
}

export interface ConformanceFixture {
  /** A minimal valid spec for this adapter. */
  baseSpec: NodeSpec;
  /** One variant per NodeSpec field the adapter honours (JSON path → variant). */
  honoured: Record<string, FieldVariant>;
  env?: PlanEnv;
  /**
   * Settings the base spec's client holds at one value although the chain's formHints offer a range (a
   * client of a multi-client role that cannot honour the setting, e.g. a fixed dev-mode chain id): name →
   * the only value it accepts. Any other value is refused at the setting's path.
   */
  fixedSettings?: Record<string, number>;
  /**
   * A valid spec whose plan runs `client` (default: the base spec), for adapters whose override schema names
   * clients one node does not all run (Ethereum: an `el` and a `cl` of seven).
   */
  specWithClient?: (client: string) => NodeSpec;
}

/** Fields the executor acts on itself (lifecycle); no adapter's plan may depend on them. */
export const EXECUTOR_OWNED_FIELDS: Readonly<Record<string, string>> = {
  "/desiredState": "the executor starts or stops the processes",
  "/restartGeneration": "the executor re-rolls the processes when it rises",
};

export const CONFORMANCE_ENV: PlanEnv = {
  platform: "linux-x64",
  nodeDir: "/var/lib/novacula/nodes/conformance",
  configDir: "/var/lib/novacula/nodes/conformance/config",
  dataDir: "/var/lib/novacula/nodes/conformance/data",
};

const specValidator = compileValidator(NodeSpec);
const capabilityValidator = compileValidator(ChainCapability);

/** Every field path of the NodeSpec schema: top-level fields, and the fields of nested fixed-shape objects. */
export function nodeSpecFieldPaths(schema: TSchema = NodeSpec, prefix = ""): string[] {
  const paths: string[] = [];
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  for (const [key, child] of Object.entries(properties)) {
    const path = `${prefix}/${key}`;
    const nested = (child as { properties?: object }).properties;
    if (nested && Object.keys(nested).length > 0) paths.push(...nodeSpecFieldPaths(child, path));
    else paths.push(path);
  }
  return paths;
}

/** The same value with every object's keys in reverse order: a renderer must not depend on input key order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse())
    out[key] = reverseKeys((value as Record<string, unknown>)[key]);
  return out as T;
}

const clone = <T>(value: T): T => structuredClone(value);

/** A deep-frozen copy: a function that writes into its input throws on it. */
function frozen<T>(value: T): T {
  const copy = clone(value);
  const freeze = (v: unknown) => {
    if (v === null || typeof v !== "object") return;
    for (const child of Object.values(v)) freeze(child);
    Object.freeze(v);
  };
  freeze(copy);
  return copy;
}

const PLATFORMS: readonly Platform[] = ["linux-x64", "linux-arm64"];

export function runAdapterConformance(adapter: ChainAdapter, fixture: ConformanceFixture): void {
  const env = fixture.env ?? CONFORMANCE_ENV;
  const planJson = (spec: NodeSpec) => {
    const result = adapter.plan("conformance", spec, env);
    if (!result.ok) throw new Error(`plan rejected: ${JSON.stringify(result.errors)}`);
    return JSON.stringify(result.plan);
  };
  const overrideSchema = () => adapter.capability().configOverrideSchema as ConfigOverrideSchema;

  describe(`ChainAdapter conformance: ${adapter.chain}`, () => {
    test("capability() is accepted by the protocol ChainCapability schema and names this chain", () => {
      const capability = adapter.capability();
      expect(capabilityValidator.errors(capability)).toEqual([]);
      expect(capability.chain).toBe(adapter.chain);
      const schema = overrideSchema();
      expect(typeof schema.files).toBe("object");
      expect(typeof schema.args).toBe("object");
    });

    test("the base spec is a valid NodeSpec that validates and plans", () => {
      expect(specValidator.errors(fixture.baseSpec)).toEqual([]);
      expect(adapter.validate(fixture.baseSpec)).toEqual([]);
      expect(adapter.plan("conformance", fixture.baseSpec, env).ok).toBe(true);
    });

    test("plan() is deterministic: same input, byte-identical output, whatever the input key order", () => {
      const first = planJson(fixture.baseSpec);
      expect(planJson(clone(fixture.baseSpec))).toBe(first);
      expect(planJson(reverseKeys(fixture.baseSpec))).toBe(first);
      for (const variant of Object.values(fixture.honoured)) {
        if (variant.expect !== "changes-plan") continue;
        expect(planJson(reverseKeys(variant.spec))).toBe(planJson(variant.spec));
      }
    });

    test("every NodeSpec field is honoured or explicitly declared ignored", () => {
      const fields = nodeSpecFieldPaths();
      const ignored = Object.keys(adapter.ignoredSpecFields);
      const honoured = Object.keys(fixture.honoured);
      const owned = Object.keys(EXECUTOR_OWNED_FIELDS);
      const unaccounted = fields.filter(
        (f) => !ignored.includes(f) && !honoured.includes(f) && !owned.includes(f),
      );
      expect(unaccounted).toEqual([]);
      for (const path of [...ignored, ...honoured]) expect(fields).toContain(path);
      expect(ignored.filter((f) => honoured.includes(f) || owned.includes(f))).toEqual([]);
      for (const reason of Object.values(adapter.ignoredSpecFields))
        expect(reason.length).toBeGreaterThan(10);
    });

    for (const [path, variant] of Object.entries(fixture.honoured)) {
      test(`honoured field ${path} ${variant.expect === "rejected" ? "is validated" : "changes the plan"}`, () => {
        expect(specValidator.errors(variant.spec)).toEqual([]);
        const errors = adapter.validate(variant.spec);
        if (variant.expect === "rejected") {
          expect(errors.some((e) => e.path === path || e.path.startsWith(`${path}/`))).toBe(true);
          expect(adapter.plan("conformance", variant.spec, env).ok).toBe(false);
        } else {
          expect(errors).toEqual([]);
          expect(planJson(variant.spec)).not.toBe(planJson(fixture.baseSpec));
        }
      });
    }

    test("an unknown network is rejected with path /network", () => {
      const spec = { ...clone(fixture.baseSpec), network: "no-such-network" };
      expect(adapter.validate(spec).map((e) => e.path)).toContain("/network");
      expect(adapter.plan("conformance", spec, env).ok).toBe(false);
    });

    test("managed override keys are rejected with their path", () => {
      const schema = overrideSchema();
      let checked = 0;
      for (const [client, entry] of Object.entries(schema.args)) {
        for (const flag of entry.managedFlags) {
          for (const form of [flag, `${flag}=1`]) {
            const spec = clone(fixture.specWithClient?.(client) ?? fixture.baseSpec);
            spec.overrides = { args: { [client]: ["--novacula-conformance-unknown", form] } };
            expect(adapter.validate(spec).map((e) => e.path)).toContain(`/overrides/args/${client}/1`);
            checked++;
          }
        }
      }
      for (const [file, entry] of Object.entries(schema.files)) {
        for (const key of entry.managedPaths) {
          const spec = clone(fixture.baseSpec);
          spec.overrides = { files: { [file]: { [key]: "x" } } };
          expect(adapter.validate(spec).map((e) => e.path)).toContain(`/overrides/files/${file}/${key}`);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });

    test("unknown override keys pass through verbatim, after the managed ones", () => {
      const schema = overrideSchema();
      const plan = (spec: NodeSpec) => {
        const result = adapter.plan("conformance", spec, env);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        return result.plan;
      };
      // Arguments go to the clients the node runs (specWithClient makes a node run another one); those for
      // another client of its role are refused.
      const running = new Set(Object.values(fixture.baseSpec.clients).map((c) => c.name));
      const clients = Object.keys(schema.args).filter((name) => running.has(name) || fixture.specWithClient);
      for (const client of clients) {
        const extra = ["--novacula-conformance-unknown", "value with spaces"];
        const withClient = fixture.specWithClient?.(client) ?? fixture.baseSpec;
        const spec = clone(withClient);
        spec.overrides = { args: { [client]: extra } };
        expect(adapter.validate(spec)).toEqual([]);
        const process = plan(spec).processes.find((p) => p.client === client);
        expect(process).toBeDefined();
        expect(process!.args.slice(-extra.length)).toEqual(extra);
        const base = plan(withClient).processes.find((p) => p.client === client)!;
        expect(process!.args.slice(0, base.args.length)).toEqual(base.args);
      }
      for (const file of Object.keys(schema.files)) {
        const spec = clone(fixture.baseSpec);
        spec.overrides = { files: { [file]: { novacula_conformance_unknown: "kept" } } };
        expect(adapter.validate(spec)).toEqual([]);
        expect(JSON.stringify(plan(spec))).toContain("novacula_conformance_unknown");
      }
    });

    test("every validation problem carries a JSON path", () => {
      const spec = clone(fixture.baseSpec);
      spec.network = "no-such-network";
      spec.nodeType = spec.nodeType === "full" ? "archive" : "full";
      spec.ports = { "no-such-port": 1 };
      spec.settings = { noSuchSetting: 1 };
      for (const error of adapter.validate(spec)) {
        expect(error.path.startsWith("/")).toBe(true);
        expect(error.message.length).toBeGreaterThan(0);
      }
    });

    test("validate() against the adapter's own capability is validate() alone", () => {
      for (const spec of [fixture.baseSpec, ...Object.values(fixture.honoured).map((v) => v.spec)]) {
        expect(adapter.validate(spec, { offered: adapter.capability() })).toEqual(adapter.validate(spec));
      }
    });

    test("validate() takes networks and versions from the executor's offer, not from its own list", () => {
      const offered = clone(adapter.capability());
      const [role] = offered.roles;
      const spec = clone(fixture.baseSpec);
      const ownVersion = spec.clients[role!.role]!.version;
      const client = role!.clients.find((c) => c.name === spec.clients[role!.role]!.name)!;
      // An executor with a newer build offers a version and a network this binary does not know.
      // Judged by its list (an adapter's semver range would admit or refuse the same versions: tested below).
      const range = client.versionRange;
      delete client.versionRange;
      // The base spec's version may be one the flags were checked against but the shipped catalog lacks.
      client.versions = [...new Set([...client.versions, ownVersion, "0.0.0-conformance"])];
      offered.networks = [...offered.networks, "conformance-net"];
      const newer = {
        ...spec,
        clients: { ...spec.clients, [role!.role]: { name: client.name, version: "0.0.0-conformance" } },
      };
      expect(adapter.validate(newer, { offered })).toEqual([]);
      expect(adapter.validate(newer).map((e) => e.path)).toContain(`/clients/${role!.role}/version`);
      expect(adapter.validate({ ...spec, network: "conformance-net" }, { offered })).toEqual([]);
      // One without the base version refuses it, at its path.
      client.versions = client.versions.filter((v) => v !== ownVersion);
      expect(adapter.validate(spec, { offered }).map((e) => e.path)).toContain(
        `/clients/${role!.role}/version`,
      );
      // One whose semver range leaves the base version out refuses it; one whose range holds it accepts it.
      if (range !== undefined) {
        client.versionRange = range;
        expect(adapter.validate(spec, { offered }).map((e) => e.path)).not.toContain(
          `/clients/${role!.role}/version`,
        );
        client.versionRange = `<${ownVersion}`;
        expect(adapter.validate(spec, { offered }).map((e) => e.path)).toContain(
          `/clients/${role!.role}/version`,
        );
      }
    });

    test("validate() for a platform agrees with plan() on that platform", () => {
      for (const platform of PLATFORMS) {
        const problems = adapter.validate(fixture.baseSpec, { platform });
        const planned = adapter.plan("conformance", fixture.baseSpec, { ...env, platform });
        expect(problems.length === 0).toBe(planned.ok);
        if (!planned.ok) expect(planned.errors).toEqual(problems);
      }
    });

    test("hostPorts() names every port plan() binds, at its spec path, explicit only when the spec sets it", () => {
      const specs = [
        fixture.baseSpec,
        ...Object.values(fixture.honoured)
          .filter((v) => v.expect === "changes-plan")
          .map((v) => v.spec),
      ];
      for (const spec of specs) {
        const result = adapter.plan("conformance", spec, env);
        if (!result.ok) throw new Error(JSON.stringify(result.errors));
        // One port may be bound for TCP and UDP (P2P and its discovery): hostPorts() names it once.
        const bound = [
          ...new Set(result.plan.processes.flatMap((p) => p.ports.map((port) => port.port))),
        ].sort();
        const declared = adapter.hostPorts(spec);
        expect(declared.map((p) => p.port).sort()).toEqual(bound);
        for (const port of declared) {
          expect(port.path).toMatch(/^\/ports\/[^/]+$/);
          expect(port.explicit).toBe(spec.ports?.[port.path.slice("/ports/".length)] !== undefined);
          if (port.explicit) expect(spec.ports?.[port.path.slice("/ports/".length)]).toBe(port.port);
        }
      }
      expect(adapter.hostPorts(fixture.baseSpec).some((p) => p.explicit)).toBe(
        fixture.baseSpec.ports !== undefined,
      );
    });

    test("validate() and hostPorts() are pure: a frozen spec goes through and comes out the same", () => {
      for (const variant of [fixture.baseSpec, ...Object.values(fixture.honoured).map((v) => v.spec)]) {
        const spec = frozen(variant);
        expect(
          adapter.validate(spec, { offered: frozen(adapter.capability()), platform: env.platform }),
        ).toEqual(adapter.validate(clone(variant), { platform: env.platform }));
        expect(adapter.hostPorts(spec)).toEqual(adapter.hostPorts(clone(variant)));
        expect(spec).toEqual(variant);
      }
    });

    test("formHints() offers what validate() accepts: each setting's range edges and default, each port by name", () => {
      const hints = adapter.formHints?.();
      if (!hints) return; // optional: a form then offers the override schema alone
      const judge = (patch: Partial<NodeSpec>) =>
        adapter.validate({ ...fixture.baseSpec, ...patch }).map((e) => e.path);
      for (const [name, s] of Object.entries(hints.settings)) {
        const fixed = fixture.fixedSettings?.[name];
        if (fixed !== undefined) {
          expect(judge({ settings: { [name]: fixed } })).toEqual([]);
          for (const value of [s.min, s.default, s.max, s.min - 1, s.max + 1].filter((v) => v !== fixed))
            expect(judge({ settings: { [name]: value } })).toEqual([`/settings/${name}`]);
          continue;
        }
        for (const value of [s.min, s.default, s.max])
          expect(judge({ settings: { [name]: value } })).toEqual([]);
        for (const value of [s.min - 1, s.max + 1])
          expect(judge({ settings: { [name]: value } })).toEqual([`/settings/${name}`]);
      }
      const declared = adapter.hostPorts(fixture.baseSpec).map((p) => [p.path, p.port]);
      expect(Object.entries(hints.ports).map(([name, port]) => [`/ports/${name}`, port])).toEqual(declared);
    });

    test("interpretProbe() turns a missing answer into a status, never a crash", () => {
      const result = adapter.plan("conformance", fixture.baseSpec, env);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      for (const process of result.plan.processes) {
        expect(PROCESS_STATUSES).toContain(adapter.interpretProbe(process.role, {}).status);
      }
    });
  });
}
