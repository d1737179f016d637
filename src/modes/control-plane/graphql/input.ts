// Checks a resolver's input against its feature's TypeBox model (models.ts in the feature folder), where
// the input enters: every problem at once, each with its path inside the input, in the one error envelope.
import type { Static, TSchema } from "@sinclair/typebox";
import { badRequest } from "../../../lib/errors.ts";
import { compileValidator, type Validator } from "../../../protocol/index.ts";

const validators = new WeakMap<TSchema, Validator<TSchema>>();

export function checkInput<S extends TSchema>(model: S, value: unknown, what: string): Static<S> {
  let validator = validators.get(model);
  if (!validator) {
    validator = compileValidator(model);
    validators.set(model, validator);
  }
  if (validator.check(value)) return value as Static<S>;
  const details = validator.errors(value);
  throw badRequest(
    `${what} is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    details,
  );
}
