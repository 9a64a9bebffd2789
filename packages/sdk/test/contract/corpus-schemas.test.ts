// Parses the horde-sdk example corpus (../shared/conformance/horde-sdk-examples) with the generated schemas.
// Every example file is mapped to its operation by file name, then parsed with the operation's body schema
// (payloads) or the schema of the response status (responses). Documents that really violate the contract are
// listed in KNOWN_CORPUS_DEVIATIONS, and the test asserts that they still fail, so the table cannot rot.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type OperationId, operations } from "../../src/models/generated/operations.js";
import * as schemas from "../../src/models/generated/schemas.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const CORPUS = path.resolve(REPO_ROOT, "../shared/conformance/horde-sdk-examples");
const FOLDERS = [
  "example_payloads",
  "example_responses",
  "example_production_responses",
  "production_responses",
] as const;

const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) {
  console.warn(`corpus.test.ts: skipped, the example corpus is not present at ${CORPUS}`);
}

type Deviation =
  /** The file maps to no operation of the contract. */
  | { kind: "no-operation"; reason: string }
  /** The document fails its schema; `paths` are exactly the issue paths reported (each joined with "."). */
  | { kind: "schema"; reason: string; paths: string[] }
  /** The operation declares no response for the file's status; the document is checked against `parseAs`. */
  | { kind: "undeclared-status"; reason: string; parseAs: schemas.DefinitionName };

const MESSAGE_FULL_REASON =
  "worker messages are ResponseModelMessageFull (id, user_id, created, expiry as a date-time string); the " +
  "horde-sdk example was generated from the server's own swagger, where a later model reused the name " +
  "ResponseModelMessage for the POST body (worker_id, message, origin, expiry in hours), see README-swagger.md";
const messageFullPaths = (prefix: string) =>
  ["id", "expiry", "user_id", "created"].map((p) => `${prefix}${p}`);

/** Corpus documents that genuinely violate the contract. Keys: `<folder>/<file name>`. */
const KNOWN_CORPUS_DEVIATIONS: Record<string, Deviation> = {
  "example_payloads/_v2_kudos_kai_user_id_post.json": {
    kind: "no-operation",
    reason: "POST /v2/kudos/kai/{user_id} was removed from the server; the contract has no such operation",
  },
  "example_payloads/_v2_interrogate_submit_post.json": {
    kind: "schema",
    reason: 'placeholder `result: ""`; the server requires an object (the form results by form name)',
    paths: ["result"],
  },
  "example_responses/_v2_filters_post_200.json": {
    kind: "schema",
    reason: '`suspicion: 0` as a number; FilterPromptSuspicion.suspicion is a fields.String, sent as "0"',
    paths: ["suspicion"],
  },
  "example_responses/_v2_filters_filter_id_get_200.json": {
    kind: "schema",
    reason:
      "a single FilterDetails object; the contract declares a list (marshal_with as_list) for GET " +
      "/v2/filters/{filter_id}. Unverified which one the server sends: kept as the contract says",
    paths: [""],
  },
  "example_responses/_v2_generate_async_post_200.json": {
    kind: "undeclared-status",
    reason: "dry_run answers 200 `{kudos}` (docs/ai-horde-api.md §0.2), but the contract declares only 202",
    parseAs: "RequestAsync",
  },
  "example_responses/_v2_generate_text_async_post_200.json": {
    kind: "undeclared-status",
    reason: "dry_run answers 200 `{kudos}`, but the contract declares only 202",
    parseAs: "RequestAsync",
  },
  "example_responses/_v2_workers_messages_get_200.json": {
    kind: "schema",
    reason: MESSAGE_FULL_REASON,
    paths: messageFullPaths("0."),
  },
  "example_responses/_v2_workers_messages_message_id_get_200.json": {
    kind: "schema",
    reason: MESSAGE_FULL_REASON,
    paths: messageFullPaths(""),
  },
  "example_responses/_v2_workers_messages_post_200.json": {
    kind: "schema",
    reason: MESSAGE_FULL_REASON,
    paths: messageFullPaths(""),
  },
  "example_responses/_v2_workers_get_200.json": {
    kind: "schema",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL_REASON}`,
    paths: messageFullPaths("0.messages.0."),
  },
  "example_responses/_v2_workers_name_worker_name_get_200.json": {
    kind: "schema",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL_REASON}`,
    paths: messageFullPaths("messages.0."),
  },
  "example_responses/_v2_workers_worker_id_get_200.json": {
    kind: "schema",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL_REASON}`,
    paths: messageFullPaths("messages.0."),
  },
};

/** `_v2_<path>_<verb>` as the corpus spells it: every non-word character becomes `_`, runs of `_` collapse. */
function corpusKey(opPath: string, method: string): string {
  return `${opPath}_${method.toLowerCase()}`.replace(/\W/g, "_").replace(/_+/g, "_");
}

const opIds = Object.keys(operations) as OperationId[];
const byKey = new Map<string, OperationId>();
for (const id of opIds) {
  const op = operations[id];
  const k = corpusKey(op.path, op.method);
  if (byKey.has(k)) throw new Error(`two operations map to the corpus key ${k}`);
  byKey.set(k, id);
}

interface Resolved {
  operationId: OperationId;
  status: number | null;
}

/** File name -> operation (and status for responses), or null when nothing matches. */
function resolveCorpusFile(fileName: string): Resolved | null {
  const stem = fileName.replace(/\.json$/, "");
  // Longest key first, so that a verb-suffixed key is never matched by a shorter path.
  const keys = [...byKey.keys()].sort((a, b) => b.length - a.length);
  for (const k of keys) {
    if (stem !== k && !stem.startsWith(`${k}_`)) continue;
    const rest = stem.slice(k.length);
    const m = /^(?:_(\d{3}))?(?:_production)?$/.exec(rest);
    if (!m) continue;
    const operationId = byKey.get(k) as OperationId;
    return { operationId, status: m[1] === undefined ? null : Number(m[1]) };
  }
  return null;
}

function definitionSchema(name: string): z.ZodType {
  const s = (schemas.definitions as Record<string, z.ZodType>)[name];
  if (!s) throw new Error(`no schema for definition ${name}`);
  return s;
}

/** The schema a corpus document must satisfy. */
function schemaFor(folder: string, r: Resolved): z.ZodType {
  const op = operations[r.operationId];
  if (folder === "example_payloads") {
    if (r.status !== null) throw new Error(`payload file with a status code (${r.operationId})`);
    if (op.body !== null) return definitionSchema(op.body);
    if (op.inlineBody) {
      return (schemas.inlineBodySchemas as Record<string, z.ZodType>)[r.operationId] as z.ZodType;
    }
    throw new Error(`${r.operationId} takes no body`);
  }
  if (r.status === null) throw new Error(`response file without a status code (${r.operationId})`);
  const responses = op.responses as Record<number, string | null | undefined>;
  const name = responses[r.status];
  if (name === undefined) throw new Error(`${r.operationId} declares no ${r.status} response`);
  if (name === null) return z.unknown(); // declared without a schema (a bare "200 Success"): any JSON
  const item = definitionSchema(name);
  const arrays = op.responseArrays as readonly number[];
  return arrays.includes(r.status) ? item.array() : item;
}

const files = corpusPresent
  ? FOLDERS.flatMap((folder) =>
      existsSync(path.join(CORPUS, folder))
        ? readdirSync(path.join(CORPUS, folder))
            .filter((f) => f.endsWith(".json"))
            .sort()
            .map((f) => ({ folder, file: f, id: `${folder}/${f}` }))
        : [],
    )
  : [];

const issuePaths = (e: z.ZodError) => e.issues.map((i) => i.path.join("."));

describe.skipIf(!corpusPresent)("horde-sdk example corpus", () => {
  it("has files in every folder", () => {
    for (const folder of FOLDERS) {
      expect(files.filter((f) => f.folder === folder).length, folder).toBeGreaterThan(0);
    }
  });

  it.each(files.filter((f) => !KNOWN_CORPUS_DEVIATIONS[f.id]).map((f) => [f.id, f] as const))(
    "%s parses",
    (_id, f) => {
      const resolved = resolveCorpusFile(f.file);
      expect(resolved, `${f.id} maps to no operation`).not.toBeNull();
      const schema = schemaFor(f.folder, resolved as Resolved);
      const doc: unknown = JSON.parse(readFileSync(path.join(CORPUS, f.folder, f.file), "utf8"));
      const res = schema.safeParse(doc);
      expect(res.success ? [] : res.error.issues, f.id).toEqual([]);
    },
  );

  it.each(Object.entries(KNOWN_CORPUS_DEVIATIONS))("known deviation %s still deviates", (id, dev) => {
    const f = files.find((x) => x.id === id);
    expect(f, `${id} is listed in KNOWN_CORPUS_DEVIATIONS but is not in the corpus`).toBeDefined();
    const resolved = resolveCorpusFile(path.basename(id));
    if (dev.kind === "no-operation") {
      expect(resolved).toBeNull();
      return;
    }
    expect(resolved).not.toBeNull();
    const r = resolved as Resolved;
    const doc: unknown = JSON.parse(readFileSync(path.join(CORPUS, id), "utf8"));
    if (dev.kind === "undeclared-status") {
      const responses = operations[r.operationId].responses as Record<number, unknown>;
      expect(responses[r.status as number], `${id}: the contract now declares this status`).toBeUndefined();
      expect(definitionSchema(dev.parseAs).safeParse(doc).error?.issues ?? []).toEqual([]);
      return;
    }
    const schema = schemaFor(id.split("/")[0] as string, r);
    const res = schema.safeParse(doc);
    expect(res.success, `${id} now parses: remove it from KNOWN_CORPUS_DEVIATIONS`).toBe(false);
    if (!res.success) expect(issuePaths(res.error).sort()).toEqual([...dev.paths].sort());
  });

  it("the shared RequestErrorResponse.json parses as RequestError (open rc)", () => {
    const doc: unknown = JSON.parse(readFileSync(path.join(CORPUS, "RequestErrorResponse.json"), "utf8"));
    expect(schemas.RequestError.parse(doc)).toEqual(doc);
  });

  it("the resolver maps the documented name forms", () => {
    expect(resolveCorpusFile("_v2_generate_status_id_get_200.json")).toEqual({
      operationId: operations.get_image_async_status.operationId,
      status: 200,
    });
    expect(resolveCorpusFile("_v2_workers_get_200_production.json")?.status).toBe(200);
    expect(resolveCorpusFile("_v2_generate_async_post.json")?.status).toBeNull();
    expect(resolveCorpusFile("_v2_no_such_thing_get_200.json")).toBeNull();
  });
});
