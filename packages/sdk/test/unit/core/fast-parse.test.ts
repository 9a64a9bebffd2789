// The fast path of validation must never disagree with zod: for every part it compiles (strings and numbers
// with their bounds, integers, booleans, enums, nullish/optional/default wrappers, arrays, objects with the
// lenient catch-all or z.looseObject's), random values either get zod's exact output (values and key order) or NOT_SURE.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { fastParser, NOT_SURE } from "../../../src/core/fast-parse.js";
import { hordeObject, withStrictValidation } from "../../../src/models/strict.js";

const SEED = Number(process.env.FUZZ_SEED ?? 424242);

const inner = hordeObject({ name: z.string().min(2).max(4), tags: z.array(z.string()).max(2).nullish() });
const zoo = {
  bounded: hordeObject({
    s: z.string().min(1).max(3),
    n: z.number().min(-1).max(2.5),
    i: z.number().int().min(0),
    e: z.enum(["a", "b"]).optional(),
    b: z.boolean().nullish(),
    d: z.boolean().default(true),
    u: z.unknown(),
    f: z.number().nullish(),
    nested: inner.nullish(),
    list: z.array(inner).min(1).optional(),
  }),
  extended: inner.extend({ name: z.string().nullish(), more: z.number().int().nullish().default(7) }),
  plain: z.object({ a: z.string().length(2), gt: z.number().gt(0).lt(1) }),
  // A request's input (JobRequest): unknown fields kept by z.looseObject's bare catch-all.
  loose: z.looseObject({ id: z.string().min(1), accept: z.string().optional() }),
};
type Schema = (typeof zoo)[keyof typeof zoo];

const leaf = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 2.5, 3, 0.5, 1e308, Number.MAX_SAFE_INTEGER + 2, "", "a", "b"),
  fc.constantFrom(Number.POSITIVE_INFINITY, Number.NaN, -0, 2.50001, -1.5, 1.5, undefined),
  fc.constantFrom("ab", "abcd", "abcde", "xy", [], {}, [{ name: "ab" }], { name: "abc", tags: ["x"] }),
  fc.string({ maxLength: 5 }),
  fc.double(),
);
/** Objects with the zoo's keys (and some others). */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("object"), fc.array(tie("node"), { maxLength: 3 })),
  object: fc.dictionary(
    fc.constantFrom(
      "s",
      "n",
      "i",
      "e",
      "b",
      "d",
      "u",
      "f",
      "nested",
      "list",
      "name",
      "tags",
      "more",
      "a",
      "gt",
      "id",
      "accept",
      "zz",
    ),
    tie("node"),
    { maxKeys: 9 },
  ),
})).node;

const bases: [Schema, Record<string, unknown>][] = [
  [zoo.bounded, { s: "a", n: 0, i: 0, u: null, nested: { name: "ab" }, list: [{ name: "abc" }] }],
  [zoo.extended, { name: "x", tags: ["a"] }],
  [zoo.plain, { a: "ab", gt: 0.5 }],
  [zoo.loose, { id: "j1", zz: [1] }],
];

function agrees(schema: Schema, input: unknown): boolean {
  const fast = fastParser(schema)?.(input) ?? NOT_SURE;
  const zod = schema.safeParse(input);
  if (fast === NOT_SURE) return false;
  expect(zod.success).toBe(true);
  expect(fast).toStrictEqual(zod.data);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
  return true;
}

describe("fast path of validation", () => {
  it("compiles every schema of the zoo", () => {
    for (const schema of Object.values(zoo)) expect(fastParser(schema)).toBeTypeOf("function");
  });

  it(`gives zod's output or NOT_SURE on random values (seed ${SEED})`, () => {
    for (const [schema, base] of bases) expect(agrees(schema, base)).toBe(true);
    let answered = 0;
    // A valid document per schema with a few keys replaced: values near each bound, wrapper and key order.
    const cases = fc.constantFrom(...bases).chain(([schema, base]) => {
      const keys = fc.constantFrom(...Object.keys(schema.shape), "zz");
      const overrides = fc.dictionary(keys, fc.oneof(leaf, leaf, value), { maxKeys: 2 });
      return fc.tuple(fc.constant([schema, base] as const), value, overrides);
    });
    fc.assert(
      fc.property(cases, ([[schema, base], input, overrides]) => {
        if (agrees(schema, input)) answered++;
        if (agrees(schema, { ...base, ...overrides })) answered++;
      }),
      { seed: SEED, numRuns: 5000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });

  it("answers for valid documents: key order as zod's, defaults filled, unknown fields kept last", () => {
    const doc = { zz: 1, u: null, i: 3, n: 2.5, s: "abc", nested: { tags: null, name: "abc", x: [1] } };
    expect(agrees(zoo.bounded, doc)).toBe(true);
    expect(Object.keys(fastParser(zoo.bounded)?.(doc) as object)).toEqual([
      "s",
      "n",
      "i",
      "d",
      "u",
      "nested",
      "zz",
    ]);
  });

  it("leaves explicit undefined, and strict validation, to zod", () => {
    expect(fastParser(zoo.extended)?.({ name: undefined })).toBe(NOT_SURE);
    withStrictValidation(() => expect(fastParser(zoo.bounded)).toBeUndefined());
  });

  it("has no fast path for parts it does not know", () => {
    expect(fastParser(z.record(z.string(), z.number()))).toBeUndefined();
    expect(fastParser(z.object({ a: z.string().refine((s) => s !== "x") }))).toBeUndefined();
    expect(fastParser(z.object({ a: z.string() }).catchall(z.number()))).toBeUndefined();
  });
});
