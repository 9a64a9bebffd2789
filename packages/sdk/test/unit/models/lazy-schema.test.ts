// lazySchema (models/lazy.ts): a schema that is built on first use and then behaves as the schema it built —
// parsing, zod's instanceof, composition, JSON Schema — so that making the SDK's schemas lazy changed when
// they are built and nothing else.

import { ImageGenerateStatusResponse } from "horde-sdk";
import { progressDoc } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { lazySchema } from "../../../src/models/lazy.js";

describe("lazySchema", () => {
  it("builds nothing until first use, then exactly once", () => {
    let builds = 0;
    const schema = lazySchema(() => {
      builds++;
      return z.object({ id: z.string() });
    });
    expect(builds).toBe(0);
    expect(schema.parse({ id: "a" })).toEqual({ id: "a" });
    expect(schema.safeParse({ id: 1 }).success).toBe(false);
    expect(builds).toBe(1);
  });

  it("is what it stands for: instanceof, shape, composition, optional, JSON Schema", () => {
    const eager = z.object({ id: z.string(), n: z.number().int().optional() });
    const lazy = lazySchema(() => z.object({ id: z.string(), n: z.number().int().optional() }));
    expect(lazy).toBeInstanceOf(z.ZodObject);
    expect(lazy).toBeInstanceOf(z.ZodType);
    expect(Object.keys(lazy.shape)).toEqual(["id", "n"]);
    expect(z.toJSONSchema(lazy)).toEqual(z.toJSONSchema(eager));
    // Nested inside eager schemas, and extended, it validates as the eager one does.
    const outer = z.object({ inner: lazy, list: z.array(lazy) });
    expect(outer.parse({ inner: { id: "x" }, list: [{ id: "y", n: 2 }] })).toEqual({
      inner: { id: "x" },
      list: [{ id: "y", n: 2 }],
    });
    expect(outer.safeParse({ inner: { id: "x", n: 1.5 }, list: [] }).success).toBe(false);
    expect(lazy.extend({ extra: z.boolean() }).parse({ id: "a", extra: true })).toEqual({
      id: "a",
      extra: true,
    });
    expect(lazy.optional().parse(undefined)).toBeUndefined();
  });

  it("reports the same errors as the schema it built (paths and messages)", () => {
    const build = () => z.object({ a: z.array(z.object({ b: z.string() })) });
    const input = { a: [{ b: "ok" }, { b: 3 }] };
    const eager = build().safeParse(input);
    const lazy = lazySchema(build).safeParse(input);
    expect(lazy.success).toBe(false);
    expect(lazy.error?.issues).toEqual(eager.error?.issues);
  });

  it("the SDK's lazy models validate and reject as before: a status body, then a bad one naming its field", () => {
    const ok = ImageGenerateStatusResponse.parse({ ...progressDoc(), generations: [] });
    expect(ok.waiting).toBe(1);
    expect(() => ImageGenerateStatusResponse.parse({ finished: "many" })).toThrow(/finished/);
  });
});
