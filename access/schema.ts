// The report's and the diff's JSON Schemas (access/schema/*.json), compiled once with ajv.
import Ajv, { type ValidateFunction } from "ajv";
import diffSchema from "./schema/access-diff.schema.json" with { type: "json" };
import reportSchema from "./schema/access-report.schema.json" with { type: "json" };

const ajv = new Ajv({ allErrors: true, strict: true });
const validators: Record<"report" | "diff", ValidateFunction> = { report: ajv.compile(reportSchema), diff: ajv.compile(diffSchema) };

function problems(which: "report" | "diff", doc: unknown): string[] {
  const validate = validators[which];
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}

/** Why `doc` is not an access report, or nothing. */
export const validateReport = (doc: unknown) => problems("report", doc);
export const validateDiff = (doc: unknown) => problems("diff", doc);
