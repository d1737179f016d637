// The node inputs, checked at the resolver: the spec a user writes is the protocol's NodeSpecInput (one
// source of truth for its shape), and a wrong one is `invalid_node_config` with every problem's path.
import { invalidNodeConfig } from "../../../lib/errors.ts";
import { compileValidator, NodeSpecInput } from "../../../protocol/index.ts";

export { NodeSpecInput };

const specInputValidator = compileValidator(NodeSpecInput);

export function parseSpecInput(raw: unknown): NodeSpecInput {
  const errors = specInputValidator.errors(raw, "/spec");
  if (errors.length > 0) throw invalidNodeConfig(errors);
  return raw as NodeSpecInput;
}
