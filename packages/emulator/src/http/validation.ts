/**
 * Body validation with the SDK's generated zod schemas, reported the way the server's JSON-schema
 * validation reports it (docs/server/errors.md#validation-errors): `errors` maps the dotted path
 * (`params.width`, `params.loras.0.name`)
 * to a message worded like Python's jsonschema (`500 is not a multiple of 64`).
 */
import { schemas } from "horde-sdk";
import { PayloadValidationError } from "./errors.js";

/** The part of a zod issue we read (zod 4). Kept structural so the emulator needs no direct zod import. */
interface Issue {
  code?: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  divisor?: number;
  values?: readonly unknown[];
}

export interface BodySchema {
  safeParse(data: unknown): { success: true } | { success: false; error: { issues: readonly Issue[] } };
}

/** Python's `repr()` of a JSON value, as jsonschema prints it. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value
      .replace(/\\/g, "\\\\")
      .replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t")
      .replaceAll(quote, `\\${quote}`);
    return `${quote}${body}${quote}`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

const JSON_TYPE: Record<string, string> = {
  int: "integer",
  number: "number",
  string: "string",
  boolean: "boolean",
  array: "array",
  object: "object",
  record: "object",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** One zod issue → jsonschema's wording for the same failure. */
function messageFor(issue: Issue, value: unknown): string {
  const r = pyRepr(value);
  switch (issue.code) {
    case "invalid_type": {
      if (value === undefined) return `${pyRepr(String(issue.path.at(-1) ?? ""))} is a required property`;
      const type = JSON_TYPE[issue.expected ?? ""] ?? issue.expected ?? "object";
      return `${r} is not of type '${type}'`;
    }
    case "too_small":
      if (issue.origin === "string" || issue.origin === "array") return `${r} is too short`;
      return issue.inclusive === false
        ? `${r} is less than or equal to the minimum of ${pyRepr(Number(issue.minimum))}`
        : `${r} is less than the minimum of ${pyRepr(Number(issue.minimum))}`;
    case "too_big":
      if (issue.origin === "string" || issue.origin === "array") return `${r} is too long`;
      return issue.inclusive === false
        ? `${r} is greater than or equal to the maximum of ${pyRepr(Number(issue.maximum))}`
        : `${r} is greater than the maximum of ${pyRepr(Number(issue.maximum))}`;
    case "not_multiple_of":
      return `${r} is not a multiple of ${pyRepr(issue.divisor)}`;
    case "invalid_value":
      return `${r} is not one of ${pyRepr(issue.values ?? [])}`;
    case "custom":
      if (/unique/i.test(issue.message)) return `${r} has non-unique elements`;
      return issue.message;
    default:
      return issue.message;
  }
}

function issuesToErrors(body: unknown, issues: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  // Later issues overwrite earlier ones on the same key, as the server builds its map with dict().
  for (const issue of issues)
    errors[issue.path.map(String).join(".")] = messageFor(issue, valueAt(body, issue.path));
  return errors;
}

/**
 * Enums the SDK keeps open (it must read values the server adds later) but the server's input schema
 * closes: the emulator checks them against the contract's own lists, like the server does.
 */
type EnumRule = { path: string; values: readonly string[] };

const K = schemas.openEnumValues;

/** The body schemas the emulator validates with, by the contract's definition name (or inline body). */
const BODY_SCHEMAS = {
  GenerationInputStable: schemas.GenerationInputStable,
  PopInputStable: schemas.PopInputStable,
  SubmitInputStable: schemas.SubmitInputStable,
  GenerationInputKobold: schemas.GenerationInputKobold,
  PopInputKobold: schemas.PopInputKobold,
  SubmitInputKobold: schemas.SubmitInputKobold,
  ModelInterrogationInputStable: schemas.ModelInterrogationInputStable,
  InterrogationPopInput: schemas.InterrogationPopInput,
  post_interrogate_submit: schemas.inlineBodySchemas.post_interrogate_submit,
  AestheticsPayload: schemas.AestheticsPayload,
  // The directory's bodies (users, workers, teams, messages, styles, collections).
  ModifyUserInput: schemas.ModifyUserInput,
  ModifyWorkerInput: schemas.ModifyWorkerInput,
  CreateTeamInput: schemas.CreateTeamInput,
  ModifyTeamInput: schemas.ModifyTeamInput,
  ResponseModelMessage: schemas.ResponseModelMessage,
  ModelStyleInputStable: schemas.ModelStyleInputStable,
  ModelStylePatchStable: schemas.ModelStylePatchStable,
  ModelStyleInputKobold: schemas.ModelStyleInputKobold,
  ModelStylePatchKobold: schemas.ModelStylePatchKobold,
  InputModelStyleExamplePost: schemas.InputModelStyleExamplePost,
  InputStyleExamplePost: schemas.InputStyleExamplePost,
  InputModelCollection: schemas.InputModelCollection,
} as const;

export type BodySchemaName = keyof typeof BODY_SCHEMAS;

const CLOSED_INPUT_ENUMS: Partial<Record<BodySchemaName, EnumRule[]>> = {
  GenerationInputStable: [
    { path: "params.sampler_name", values: K["ModelPayloadStyleStable.sampler_name"] },
    { path: "params.post_processing.*", values: K["ModelPayloadStyleStable.post_processing"] },
    { path: "params.workflow", values: K["ModelPayloadStyleStable.workflow"] },
    { path: "params.control_type", values: K["ModelPayloadRootStable.control_type"] },
  ],
  SubmitInputStable: [
    { path: "gen_metadata.*.type", values: K["GenerationMetadataStable.type"] },
    { path: "gen_metadata.*.value", values: K["GenerationMetadataStable.value"] },
  ],
  SubmitInputKobold: [
    { path: "gen_metadata.*.type", values: K["GenerationMetadataKobold.type"] },
    { path: "gen_metadata.*.value", values: K["GenerationMetadataKobold.value"] },
  ],
  ModelInterrogationInputStable: [{ path: "forms.*.name", values: K["ModelInterrogationFormStable.name"] }],
  InterrogationPopInput: [{ path: "forms.*", values: K["InterrogationPopInput.forms"] }],
};

function enumIssues(body: unknown, rules: readonly EnumRule[]): Issue[] {
  const issues: Issue[] = [];
  const walk = (v: unknown, parts: string[], path: PropertyKey[], values: readonly string[]) => {
    if (parts.length === 0) {
      if (typeof v === "string" && !values.includes(v)) {
        issues.push({ code: "invalid_value", path, values, message: "" });
      }
      return;
    }
    const [head, ...rest] = parts as [string, ...string[]];
    if (head === "*") {
      if (Array.isArray(v)) for (const [i, item] of v.entries()) walk(item, rest, [...path, i], values);
    } else if (v !== null && typeof v === "object") {
      walk((v as Record<string, unknown>)[head], rest, [...path, head], values);
    }
  };
  for (const rule of rules) walk(body, rule.path.split("."), [], rule.values);
  return issues;
}

/**
 * Validates a JSON body against the named contract schema. Throws the 400 `errors` shape on failure.
 * Only validates: defaults are the server's runtime ones, applied by the routes
 * (docs/server/quirks.md#runtime-defaults), not the swagger's.
 */
export function validateBody(name: BodySchemaName, body: unknown): void {
  const schema = BODY_SCHEMAS[name] as unknown as BodySchema;
  const result = schema.safeParse(body);
  const issues: Issue[] = result.success ? [] : [...result.error.issues];
  issues.push(...enumIssues(body, CLOSED_INPUT_ENUMS[name] ?? []));
  if (issues.length > 0) throw new PayloadValidationError(issuesToErrors(body, issues));
}
