/**
 * Fuzzing the SDK's models with fast-check (fixed seed, printed on failure; FUZZ_SEED / FUZZ_RUNS override):
 * - parsers: every response document of the horde-sdk example corpus, mutated (fields dropped, retyped,
 *   replaced by arbitrary JSON, nested deeper), parsed with its response class: only HordeValidationError may
 *   escape — never a TypeError or any other crash;
 * - request builders: every request class of the registry fed mutated corpus payloads and arbitrary input:
 *   constructing and serialising (`toHttp`) either works or throws HordeValidationError.
 * - the fast path of validation (core/fast-parse.ts) on the same mutated documents: whenever it answers, zod
 *   accepts the document and gives the very same output (values and key order); whenever zod refuses, the
 *   fast path has said NOT_SURE.
 * The corpus is read at run time from ../shared/conformance/horde-sdk-examples; without it the corpus
 * properties are skipped with the reason printed, and the builders run on arbitrary input only.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { HordeValidationError, type RequestClass, type ResponseClass, requestClasses } from "horde-sdk";
import { describe, expect, it } from "vitest";
import { fastParser, NOT_SURE } from "../../src/core/fast-parse.js";

const SEED = Number(process.env.FUZZ_SEED ?? 424242);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const CORPUS = path.resolve(ROOT, "../shared/conformance/horde-sdk-examples");
const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.warn(`fuzz.test.ts: corpus properties skipped, no corpus at ${CORPUS}`);

const classes = Object.values(requestClasses) as RequestClass[];
/** `_v2_generate_status_id` for `/v2/generate/status/{id}`, the corpus's file naming. */
const stem = (cls: RequestClass) =>
  `${cls.getApiEndpointSubpath().replace(/[{}]/g, "").replace(/\//g, "_")}_${cls.getHttpMethod().toLowerCase()}`;

interface ResponseDoc {
  file: string;
  cls: ResponseClass;
  json: unknown;
}
interface PayloadDoc {
  file: string;
  cls: RequestClass;
  json: Record<string, unknown>;
}

function loadCorpus(): { responses: ResponseDoc[]; payloads: PayloadDoc[] } {
  const responses: ResponseDoc[] = [];
  const payloads: PayloadDoc[] = [];
  if (!corpusPresent) return { responses, payloads };
  const byStem = new Map(classes.map((c) => [stem(c), c]));
  for (const folder of ["example_responses", "example_production_responses", "production_responses"]) {
    const dir = path.join(CORPUS, folder);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const m = /^(.*)_(\d{3})\.json$/.exec(file);
      const cls = m ? byStem.get(m[1] as string) : undefined;
      const res = cls?.getSuccessStatusResponsePairs()[Number(m?.[2])];
      if (res)
        responses.push({ file, cls: res, json: JSON.parse(readFileSync(path.join(dir, file), "utf8")) });
    }
  }
  const pdir = path.join(CORPUS, "example_payloads");
  if (existsSync(pdir)) {
    for (const file of readdirSync(pdir).filter((f) => f.endsWith(".json"))) {
      const cls = byStem.get(file.replace(/\.json$/, ""));
      const json = JSON.parse(readFileSync(path.join(pdir, file), "utf8"));
      if (cls && json && typeof json === "object" && !Array.isArray(json)) payloads.push({ file, cls, json });
    }
  }
  return { responses, payloads };
}

const corpus = loadCorpus();
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Every path to a value inside a JSON document. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...prefix, i], out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { kind: "drop" | "set" | "wrap"; at: number; value: unknown };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("drop" as const, "set" as const, "wrap" as const),
  at: fc.nat(),
  value: fc.oneof(
    anyJson,
    fc.constantFrom(null, "", -1, 1e308, Number.MAX_SAFE_INTEGER + 2, "NaN", [], {}, "x".repeat(10_000)),
    // Own "__proto__" / "constructor" keys, as JSON.parse makes them: prototype pollution attempts.
    fc
      .constantFrom('{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": 1}}}')
      .map((t) => JSON.parse(t)),
  ),
});

/** Applies mutations to a deep copy of `doc`. */
function mutate(doc: unknown, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(doc);
  for (const m of mutations) {
    const all = paths(root);
    const at = all[m.at % all.length] as (string | number)[];
    if (at.length === 0) {
      root = m.kind === "wrap" ? [root] : m.kind === "set" ? structuredClone(m.value) : root;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = at[at.length - 1] as string | number;
    if (m.kind === "drop") {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.kind === "set") parent[last] = structuredClone(m.value);
    else parent[last] = { nested: [parent[last]] };
  }
  return root;
}

/** Runs `fn`; anything thrown other than HordeValidationError fails with the input. */
function onlyValidationErrors(fn: () => unknown, label: () => string): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof HordeValidationError) return;
    throw new Error(`${label()} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

describe("fuzzing the models (fast-check)", () => {
  it.skipIf(!corpusPresent)(`response parsers on mutated corpus documents (seed ${SEED})`, () => {
    expect(corpus.responses.length).toBeGreaterThan(30);
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        const doc = corpus.responses[pick % corpus.responses.length] as ResponseDoc;
        const input = mutate(doc.json, mutations);
        onlyValidationErrors(
          () => {
            const parsed = doc.cls.parse(input);
            accepted++;
            // A parsed model can always be dumped without throwing.
            JSON.stringify(parsed);
            (parsed as { logSafeModelDump?: () => unknown }).logSafeModelDump?.();
          },
          () => `${doc.cls.name}.parse(mutated ${doc.file})`,
        );
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.info(
      `fuzz: ${RUNS} mutated responses of ${corpus.responses.length} documents, ${accepted} accepted (seed ${SEED})`,
    );
    // The mutations do break documents: most are refused (with HordeValidationError), some still parse.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(RUNS);
  });

  it.skipIf(!corpusPresent)(`the fast path agrees with zod on mutated documents (seed ${SEED})`, () => {
    const schemaOf = (cls: unknown) => (cls as { schema: Parameters<typeof fastParser>[0] }).schema;
    const docs = [
      ...corpus.responses.map((d) => ({ file: d.file, json: d.json, schema: schemaOf(d.cls) })),
      ...corpus.payloads.map((d) => ({ file: d.file, json: d.json as unknown, schema: schemaOf(d.cls) })),
    ];
    // Key order is part of the output (toJSON, dumps), so outputs are compared as JSON text too.
    const agree = (schema: (typeof docs)[number]["schema"], input: unknown, label: string) => {
      const fast = fastParser(schema)?.(input) ?? NOT_SURE;
      const zod = schema.safeParse(input);
      if (fast === NOT_SURE) return false;
      expect(zod.success, label).toBe(true);
      expect(fast, label).toStrictEqual(zod.data);
      expect(JSON.stringify(fast), label).toBe(JSON.stringify(zod.data));
      return true;
    };
    // Unmutated, every valid document of a schema with a fast path takes it; and most schemas have one (the
    // others use parts it leaves to zod: records, unions, refinements, multipleOf).
    const compiled = docs.filter((d) => fastParser(d.schema));
    for (const d of compiled) {
      const valid = d.schema.safeParse(d.json).success;
      expect(agree(d.schema, d.json, d.file), `${d.file} takes the fast path`).toBe(valid);
    }
    expect(compiled.length).toBeGreaterThan(docs.length / 2);
    let answered = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        const doc = docs[pick % docs.length] as (typeof docs)[number];
        const input = mutate(doc.json, mutations);
        if (agree(doc.schema, input, `${doc.file} mutated by ${JSON.stringify(mutations)}`)) answered++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(answered).toBeGreaterThan(0);
  });

  it.skipIf(!corpusPresent)(`request builders on mutated corpus payloads (seed ${SEED})`, () => {
    expect(corpus.payloads.length).toBeGreaterThan(5);
    fc.assert(
      fc.property(fc.nat(), fc.array(mutationArb, { maxLength: 4 }), anyJson, (pick, mutations, id) => {
        const doc = corpus.payloads[pick % corpus.payloads.length] as PayloadDoc;
        const body = mutate(doc.json, mutations);
        const input =
          body && typeof body === "object" && !Array.isArray(body)
            ? { ...Object.fromEntries(doc.cls.getPathFields().map((f) => [f, id])), ...body }
            : body;
        onlyValidationErrors(
          () =>
            new (doc.cls as unknown as new (i: unknown) => { toHttp(b: string): unknown })(input).toHttp(
              "http://h/api",
            ),
          () => `new ${doc.cls.name}(mutated ${doc.file})`,
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`every request builder on arbitrary input (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...classes),
        fc.oneof(anyJson, fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 6 })),
        (cls, input) => {
          onlyValidationErrors(
            () => {
              const request = new (cls as unknown as new (i: unknown) => { toHttp(b: string): unknown })(
                input,
              );
              request.toHttp("http://h/api");
            },
            () => `new ${cls.name}(${JSON.stringify(input)?.slice(0, 200)})`,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
