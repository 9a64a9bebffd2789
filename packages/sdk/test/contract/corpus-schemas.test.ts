// Parses the horde-sdk example corpus (../shared/conformance/horde-sdk-examples) with the generated schemas.
// Every example file is mapped to its operation by file name, then parsed with the operation's body schema
// (payloads) or the schema of the response status (responses). Documents that really violate the contract are
// listed in KNOWN_CORPUS_DEVIATIONS, and the test asserts that they still fail, so the table cannot rot.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { operations } from "../../src/models/generated/operations.js";
import * as schemas from "../../src/models/generated/schemas.js";
import {
  CORPUS_API_FOLDERS,
  CORPUS_DEVIATIONS,
  type CorpusDeviation,
  corpusApiFiles,
  corpusPresent,
  type ResolvedCorpusFile,
  readCorpus,
  resolveCorpusFile,
} from "./corpus.js";

type Deviation =
  | CorpusDeviation
  /** The operation declares no response for the file's status; the document is checked against `parseAs`. */
  | { kind: "undeclared-status"; reason: string; parseAs: schemas.DefinitionName };

/** Corpus documents that genuinely violate the contract, as the schemas see them. Keys: `<folder>/<file name>`. */
const KNOWN_CORPUS_DEVIATIONS: Record<string, Deviation> = {
  ...CORPUS_DEVIATIONS,
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
};

function definitionSchema(name: string): z.ZodType {
  const s = (schemas.definitions as Record<string, z.ZodType>)[name];
  if (!s) throw new Error(`no schema for definition ${name}`);
  return s;
}

/** The schema a corpus document must satisfy. */
function schemaFor(folder: string, r: ResolvedCorpusFile): z.ZodType {
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

const files = corpusApiFiles;

const issuePaths = (e: z.ZodError) => e.issues.map((i) => i.path.join("."));

describe.skipIf(!corpusPresent)("horde-sdk example corpus", () => {
  it("has files in every folder", () => {
    for (const folder of CORPUS_API_FOLDERS) {
      expect(files.filter((f) => f.folder === folder).length, folder).toBeGreaterThan(0);
    }
  });

  it.each(files.filter((f) => !KNOWN_CORPUS_DEVIATIONS[f.id]).map((f) => [f.id, f] as const))(
    "%s parses",
    (_id, f) => {
      const resolved = resolveCorpusFile(f.file);
      expect(resolved, `${f.id} maps to no operation`).not.toBeNull();
      const schema = schemaFor(f.folder, resolved as ResolvedCorpusFile);
      const doc = readCorpus(f.id);
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
    const r = resolved as ResolvedCorpusFile;
    const doc = readCorpus(id);
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
    const doc = readCorpus("RequestErrorResponse.json");
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
