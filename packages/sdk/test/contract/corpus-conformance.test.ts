// Conformance of the SDK's CLASSES (not just the schemas, see corpus-schemas.test.ts) against the horde_sdk corpus in
// ../shared/conformance/horde-sdk-examples, in STRICT validation mode (unknown fields rejected):
// - every example payload validates into the request class of its operation, and `body()` gives it back;
// - every example response parses into the response class the request class names for its status
//   (`getSuccessStatusResponsePairs()`, which must agree with the generated operation/class table), and
//   `toJSON()` gives back an equal document;
// - the production captures, the error sample and the four Ratings API responses likewise.
// Genuine corpus deviations are listed in DEVIATIONS with the exact issue paths, and asserted to still deviate.
import { readdirSync } from "node:fs";
import path from "node:path";
import {
  AllWorkersDetailsResponse,
  type HordeRequest,
  HordeValidationError,
  ImageRatingsResponse,
  type Logger,
  operationClassNames,
  type RequestClass,
  RequestErrorResponse,
  type ResponseClass,
  requestClasses,
  setModelLogger,
  setStrictValidation,
  silentLogger,
  UserCheckResponse,
  UserRatingsResponse,
  UserValidateResponse,
  WorkerDetailItem,
} from "horde-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationId } from "../../src/models/generated/operations.js";
import {
  CORPUS,
  CORPUS_DEVIATIONS,
  type CorpusDeviation,
  corpusApiFiles,
  corpusPresent,
  readCorpus,
  resolveCorpusFile,
} from "./corpus.js";

/** Path values for payloads of operations with path parameters (as horde_sdk's tests inject them). */
const PATH_VALUES: Record<string, string> = {
  user_id: "1",
  ipaddr: "8.8.8.8",
  model_name: "stable_diffusion",
  worker_name: "a worker",
  style_name: "a style",
  collection_name: "a collection",
};
const DUMMY_ID = "00000000-0000-0000-0000-000000000000";

/** Corpus documents that violate the contract, as the classes see them (strict validation). */
const DEVIATIONS: Record<string, CorpusDeviation> = {
  ...CORPUS_DEVIATIONS,
  "example_payloads/_v2_interrogate_async_post.json": {
    kind: "invalid",
    reason:
      'placeholder `source_image: ""`; the server rejects an alchemy request without an image, so ' +
      "AlchemyAsyncRequest requires a non-empty one (the contract marks it optional)",
    paths: ["source_image"],
  },
};

/**
 * Where `toJSON()` differs from the document on purpose (the "defaults aside" of the round trip). Each entry
 * is asserted to still differ, with the reason.
 */
const ROUND_TRIP_EXCEPTIONS: Record<string, { path: (string | number)[]; reason: string }[]> = {
  "example_responses/_v2_generate_status_id_get_200.json": [
    {
      path: ["generations", 0, "id"],
      reason: "an empty generation id is replaced by a fresh UUID (seed rule)",
    },
  ],
  "example_responses/_v2_generate_status_id_delete_200.json": [
    {
      path: ["generations", 0, "id"],
      reason: "an empty generation id is replaced by a fresh UUID (seed rule)",
    },
  ],
};

// --- checks -----------------------------------------------------------------------------------------------------

/** Build the request of a payload file (path values injected), or throw the validation error. */
function buildRequest(operationId: OperationId, doc: unknown): HordeRequest {
  const cls = requestClasses[operationId] as RequestClass;
  const pathValues = Object.fromEntries(cls.getPathFields().map((f) => [f, PATH_VALUES[f] ?? DUMMY_ID]));
  return new cls({ ...(doc as object), ...pathValues } as never);
}

/** The response class the request class names for this status; checked against the generated table. */
function responseClassFor(operationId: OperationId, status: number): ResponseClass {
  const cls = requestClasses[operationId] as RequestClass;
  const responseClass = cls.getSuccessStatusResponsePairs()[status];
  if (!responseClass) throw new Error(`${cls.name} names no response class for ${status}`);
  expect(responseClass.name).toBe(operationClassNames[operationId].responses[status]);
  return responseClass;
}

function deepSet(target: unknown, at: (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[at.at(-1) as string | number] = value;
}

function deepGet(target: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)?.[k], target);
}

/** Parse a response document strictly; compare `toJSON()` with it, minus the listed exceptions. */
function roundTrip(id: string, responseClass: ResponseClass, doc: unknown): void {
  const parsed = responseClass.parse(doc);
  expect(parsed).toBeInstanceOf(responseClass);
  const json = JSON.parse(JSON.stringify(parsed.toJSON())) as unknown;
  for (const ex of ROUND_TRIP_EXCEPTIONS[id] ?? []) {
    expect(deepGet(json, ex.path), `${id}: ${ex.reason} (no longer happens?)`).not.toEqual(
      deepGet(doc, ex.path),
    );
    deepSet(json, ex.path, deepGet(doc, ex.path));
  }
  expect(json).toEqual(doc);
}

const tally = { payloads: 0, responses: 0, ratings: 0, errors: 0, deviations: 0 };

describe.skipIf(!corpusPresent)("conformance: corpus -> SDK classes (strict validation)", () => {
  let previousLogger: Logger | undefined;
  beforeAll(() => {
    setStrictValidation(true);
    previousLogger = setModelLogger(silentLogger); // the empty generation ids of the examples are logged
  });
  afterAll(() => {
    setStrictValidation(false);
    if (previousLogger) setModelLogger(previousLogger);
    const total = tally.payloads + tally.responses + tally.ratings + tally.errors;
    console.info(
      `conformance: ${total} documents conform (${tally.payloads} payloads, ${tally.responses} API responses, ` +
        `${tally.ratings} Ratings API responses, ${tally.errors} error sample), ${tally.deviations} known deviations`,
    );
  });

  it("strict validation is really on (an unknown field is rejected)", () => {
    const doc = readCorpus("example_responses/_v2_status_performance_get_200.json") as object;
    const cls = responseClassFor("get_horde_load", 200);
    expect(() => cls.parse({ ...doc, surprise: 1 })).toThrow(HordeValidationError);
  });

  it.each(corpusApiFiles.filter((f) => !DEVIATIONS[f.id]).map((f) => [f.id, f] as const))("%s", (id, f) => {
    const r = resolveCorpusFile(f.file);
    expect(r, `${id} maps to no operation`).not.toBeNull();
    const { operationId, status } = r as NonNullable<typeof r>;
    const doc = readCorpus(id);
    if (f.folder === "example_payloads") {
      expect(status).toBeNull();
      const request = buildRequest(operationId, doc);
      expect(request.constructor.name).toBe(operationClassNames[operationId].request);
      expect(request.body()).toEqual(doc);
      tally.payloads++;
    } else {
      expect(status).not.toBeNull();
      roundTrip(id, responseClassFor(operationId, status as number), doc);
      tally.responses++;
    }
  });

  it.each(Object.entries(DEVIATIONS))("known deviation %s still deviates", (id, dev) => {
    expect(
      corpusApiFiles.some((f) => f.id === id),
      `${id} is not in the corpus any more`,
    ).toBe(true);
    const r = resolveCorpusFile(path.basename(id));
    if (dev.kind === "no-operation") {
      expect(r).toBeNull();
      tally.deviations++;
      return;
    }
    expect(r).not.toBeNull();
    const { operationId, status } = r as NonNullable<typeof r>;
    const doc = readCorpus(id);
    let error: unknown;
    try {
      if (status === null) buildRequest(operationId, doc);
      else responseClassFor(operationId, status).parse(doc);
    } catch (e) {
      error = e;
    }
    expect(error, `${id} now conforms: remove it from DEVIATIONS`).toBeInstanceOf(HordeValidationError);
    const paths = (error as HordeValidationError).issues.map((i) => i.path).sort();
    expect(paths).toEqual([...dev.paths].sort());
    tally.deviations++;
  });

  it.each([
    ["ImageRatingsResponse.json", ImageRatingsResponse],
    ["UserCheckResponse.json", UserCheckResponse],
    ["UserRatingsResponse.json", UserRatingsResponse],
    ["UserValidateResponse.json", UserValidateResponse],
  ] as const)("ratings_api/%s parses into its class", (file, cls) => {
    expect(readdirSync(path.join(CORPUS, "ratings_api")).sort()).toEqual([
      "ImageRatingsResponse.json",
      "UserCheckResponse.json",
      "UserRatingsResponse.json",
      "UserValidateResponse.json",
    ]);
    const doc = readCorpus(`ratings_api/${file}`);
    const parsed = (cls as ResponseClass).parse(doc);
    expect(parsed).toBeInstanceOf(cls);
    expect(parsed.constructor.name).toBe(file.replace(/\.json$/, ""));
    expect(parsed.toJSON()).toEqual(doc);
    tally.ratings++;
  });

  it("the error sample parses as RequestErrorResponse (an rc outside the known list is kept)", () => {
    const doc = readCorpus("RequestErrorResponse.json");
    const parsed = RequestErrorResponse.parse(doc);
    expect(parsed.rc).toBe("SDK_API_TEST_ERROR");
    expect(parsed.toJSON()).toEqual(doc);
    tally.errors++;
  });

  // Runs last (tests of a file run in order): every document was either conformant or a listed deviation.
  it("accounts for every document of the corpus", () => {
    expect(tally.payloads + tally.responses + tally.deviations).toBe(corpusApiFiles.length);
    expect(tally.ratings).toBe(4);
    expect(tally.errors).toBe(1);
    expect(corpusApiFiles.length).toBeGreaterThanOrEqual(129); // 34 payloads, 92 responses, 3 production captures
  });
});

describe.skipIf(!corpusPresent)("the 113-worker production capture", () => {
  const doc = corpusPresent
    ? (readCorpus("example_production_responses/_v2_workers_get_200.json") as object[])
    : [];

  it("parses (strictly) into 113 worker detail objects with no field lost", () => {
    setStrictValidation(true);
    try {
      const workers = AllWorkersDetailsResponse.parse(doc);
      expect(workers.length).toBe(113);
      expect(workers.items.every((w) => w instanceof WorkerDetailItem)).toBe(true);
      workers.items.forEach((w, i) => {
        // every field of the capture is an own property of the object, with the same value
        expect(Object.keys(w).sort()).toEqual(Object.keys(doc[i] as object).sort());
        expect(w.toJSON()).toEqual(doc[i]);
      });
      expect(JSON.parse(JSON.stringify(workers))).toEqual(doc);
      const first = workers.at(0) as WorkerDetailItem;
      expect(typeof first.bridge_agent).toBe("string");
      expect([...workers].length).toBe(113);
    } finally {
      setStrictValidation(false);
    }
  });
});
