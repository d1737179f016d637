// The live layer's and node detail's GraphQL documents validate against the control plane's schema (the
// subscription included), so a renamed field fails here rather than in a person's browser.
import { expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { createSchema } from "graphql-yoga";
import { GRAPHQL_MODULES } from "../../src/modes/control-plane/graphql/modules.ts";
import { CHANGES } from "../../src/modes/control-plane/ui/app/api/live.ts";
import { NODE_DETAIL } from "../../src/modes/control-plane/ui/app/api/node-detail.ts";

test("the live subscription and the node detail query validate against the control plane's schema", () => {
  const schema = createSchema({ typeDefs: GRAPHQL_MODULES.map((m) => m.typeDefs) });
  for (const [name, source] of Object.entries({ CHANGES, NODE_DETAIL })) {
    const errors = validate(schema, parse(source)).map((e) => e.message);
    expect({ name, errors }).toEqual({ name, errors: [] });
  }
});
