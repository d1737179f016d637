// The GraphQL documents of the executor, events, nodes-list and admin screens validate against the
// control plane's schema: a renamed field or argument fails here, not in a person's browser.
import { expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import * as admin from "../../src/modes/control-plane/ui/app/api/admin.ts";
import * as events from "../../src/modes/control-plane/ui/app/api/events.ts";
import * as executors from "../../src/modes/control-plane/ui/app/api/executors.ts";
import * as nodesList from "../../src/modes/control-plane/ui/app/api/nodes-list.ts";

test("the executor, events, nodes-list and admin documents validate against the schema", () => {
  const schema = createSchema({ typeDefs: GRAPHQL_MODULES.map((m) => m.typeDefs) });
  const sources = [admin, events, executors, nodesList].flatMap((module) =>
    Object.entries(module).filter(([, v]) => typeof v === "string" && /^\s*(query|mutation)\b/.test(v)),
  );
  expect(sources.length).toBe(10);
  for (const [name, source] of sources) {
    const errors = validate(schema, parse(source as string)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
  }
});
