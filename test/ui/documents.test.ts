// Every GraphQL document the web UI sends is valid against the server's schema: a renamed field or argument
// fails here, not in a person's browser.
import { expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import * as documents from "../../src/modes/control-plane/ui/app/api/documents.ts";
import * as nodeFlows from "../../src/modes/control-plane/ui/app/api/node-flows.ts";

test("every GraphQL document of the web UI validates against the control plane's schema", () => {
  // The SDL alone (no resolvers): validation needs only the types.
  const schema = createSchema({ typeDefs: GRAPHQL_MODULES.map((m) => m.typeDefs) });
  const sources = Object.entries({ ...documents, ...nodeFlows }).filter(([, v]) => typeof v === "string");
  expect(sources.length).toBeGreaterThanOrEqual(12);
  for (const [name, source] of sources) {
    const errors = validate(schema, parse(source as string)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
  }
});
