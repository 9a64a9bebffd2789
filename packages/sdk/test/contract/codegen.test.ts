// The generated models are committed: re-running the generator on the contract must reproduce them byte for
// byte, and a few sanity checks fail if generation breaks (counts, constraints, looseness, open enums).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { operationClassNames } from "../../src/models/generated/classes.js";
import { defaultRateLimit, type OperationId, operations } from "../../src/models/generated/operations.js";
import * as schemas from "../../src/models/generated/schemas.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const SWAGGER = path.resolve(REPO_ROOT, "../shared/conformance/ai-horde-swagger.json");
const SCRIPT = path.resolve(REPO_ROOT, "packages/sdk/scripts/codegen.mjs");
const GENERATED = path.resolve(REPO_ROOT, "packages/sdk/src/models/generated");
const FILES = ["schemas.ts", "operations.ts", "rate-limits.ts", "classes.ts"] as const;

const contractPresent = existsSync(SWAGGER);
if (!contractPresent) {
  console.warn(`codegen.test.ts: generator tests skipped, the API contract is not present at ${SWAGGER}`);
}

describe.skipIf(!contractPresent)("codegen: committed output is up to date", () => {
  const out = mkdtempSync(path.join(tmpdir(), "horde-codegen-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("regenerates schemas.ts, operations.ts, rate-limits.ts and classes.ts byte for byte (run `npm run codegen` if this fails)", () => {
    execFileSync(process.execPath, [SCRIPT, "--swagger", SWAGGER, "--out", out], { stdio: "pipe" });
    for (const f of FILES) {
      const fresh = readFileSync(path.join(out, f), "utf8");
      const committed = readFileSync(path.join(GENERATED, f), "utf8");
      expect(fresh === committed, `${f} differs from a fresh generation`).toBe(true);
    }
  });

  it("is deterministic and uses the default contract location", () => {
    const out2 = mkdtempSync(path.join(tmpdir(), "horde-codegen-"));
    try {
      execFileSync(process.execPath, [SCRIPT, "--out", out2], { stdio: "pipe", cwd: tmpdir() });
      for (const f of FILES) {
        expect(readFileSync(path.join(out2, f), "utf8")).toBe(readFileSync(path.join(GENERATED, f), "utf8"));
      }
    } finally {
      rmSync(out2, { recursive: true, force: true });
    }
  });

  it("counts match the contract", () => {
    const contract = JSON.parse(readFileSync(SWAGGER, "utf8")) as {
      definitions: Record<string, unknown>;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(schemas.definitionNames).toEqual(Object.keys(contract.definitions));
    const opCount = Object.values(contract.paths).reduce(
      (n, item) => n + Object.keys(item).filter((k) => k !== "parameters").length,
      0,
    );
    expect(Object.keys(operations)).toHaveLength(opCount);
  });
});

describe("generated schemas", () => {
  const valid = { prompt: "a cat", params: { width: 512, height: 512, sampler_name: "k_euler" } };

  it("exports 130 definition schemas and 90 operations", () => {
    expect(schemas.definitionNames).toHaveLength(130);
    const exported = schemas as unknown as Record<string, unknown>;
    for (const name of schemas.definitionNames) {
      expect(exported[name], name).toBe(schemas.definitions[name]);
      expect(typeof schemas.definitions[name].safeParse, name).toBe("function");
    }
    expect(Object.keys(operations)).toHaveLength(90);
  });

  it("rejects params.width that is not a multiple of 64, at path params.width", () => {
    const res = schemas.GenerationInputStable.safeParse({
      ...valid,
      params: { ...valid.params, width: 500 },
    });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path)).toEqual([["params", "width"]]);
  });

  it("enforces other constraints: minLength, integer, maximum, required, uniqueItems", () => {
    expect(schemas.GenerationInputStable.safeParse({ prompt: "" }).success).toBe(false);
    expect(schemas.GenerationInputStable.safeParse({}).success).toBe(false);
    expect(schemas.ModelGenerationInputStable.safeParse({ steps: 1.5 }).success).toBe(false);
    expect(schemas.ModelGenerationInputStable.safeParse({ steps: 501 }).success).toBe(false);
    const dup = schemas.ModelGenerationInputStable.safeParse({ post_processing: ["GFPGAN", "GFPGAN"] });
    expect(dup.error?.issues.map((i) => i.path)).toEqual([["post_processing"]]);
  });

  it("keeps unknown fields (loose objects), also through allOf inheritance", () => {
    const parsed = schemas.GenerationInputStable.parse({
      ...valid,
      future_field: 1,
      params: { ...valid.params, future_param: "x" },
    });
    expect(parsed).toMatchObject({ future_field: 1, params: { future_param: "x" } });
    // ModelGenerationInputStable extends ModelPayloadRootStable extends ModelPayloadStyleStable
    expect(schemas.ModelGenerationInputStable.parse({ steps: 30, extra: true })).toEqual({
      steps: 30,
      extra: true,
    });
  });

  it("never injects defaults; swagger defaults are exported as data", () => {
    expect(schemas.GenerationInputStable.parse({ prompt: "x" })).toEqual({ prompt: "x" });
    expect(schemas.swaggerDefaults.GenerationInputStable.nsfw).toBe(false);
    // flattened: inherited from ModelPayloadStyleStable
    expect(schemas.swaggerDefaults.ModelGenerationInputStable).toMatchObject({ cfg_scale: 7.5, steps: 30 });
  });

  it("open enums accept unknown values, closed enums reject them", () => {
    const sampler = { ...valid, params: { ...valid.params, sampler_name: "k_brand_new_sampler" } };
    expect(schemas.GenerationInputStable.safeParse(sampler).success).toBe(true);
    expect(schemas.RequestError.safeParse({ rc: "SomeFutureRc", message: "x" }).success).toBe(true);
    expect(schemas.KNOWN_SAMPLERS).toContain("k_euler");
    // inherited open enums stay open where a derived response model re-declares them (pop payload)
    const pop = {
      id: "x",
      payload: { sampler_name: "k_new", post_processing: ["NewUpscaler"], karras: null },
    };
    expect(schemas.GenerationPayloadStable.safeParse(pop).error?.issues ?? []).toEqual([]);
    const closed = schemas.GenerationInputStable.safeParse({ ...valid, source_processing: "outerspace" });
    expect(closed.error?.issues.map((i) => i.path)).toEqual([["source_processing"]]);
  });

  it("open enum types keep the known values", () => {
    type Sampler = NonNullable<NonNullable<schemas.GenerationInputStable["params"]>["sampler_name"]>;
    expectTypeOf<"k_euler">().toExtend<Sampler>();
    expectTypeOf<"anything">().toExtend<Sampler>();
    expectTypeOf<schemas.RequestError["rc"]>().toEqualTypeOf<
      (typeof schemas.KNOWN_RC)[number] | (string & {})
    >();
  });

  it("response-only definitions accept null for optional fields, request bodies do not", () => {
    expect(schemas.WorkerDetails.safeParse({ bridge_agent: "a:1:b", info: null, team: null }).success).toBe(
      true,
    );
    // StyleStable extends the request model ModelStyleInputStable but is response-only
    expect(schemas.StyleStable.safeParse({ name: "s", info: null, params: null }).success).toBe(true);
    expect(schemas.ModelStyleInputStable.safeParse({ name: "s", info: null }).success).toBe(false);
    expect(schemas.GenerationInputStable.safeParse({ prompt: "x", nsfw: null }).success).toBe(false);
  });

  it("operation table carries routing, bodies, responses and limits", () => {
    const op = operations.post_image_async_generate;
    expect(op).toMatchObject({
      method: "POST",
      path: "/v2/generate/async",
      body: "GenerationInputStable",
      bodyValidated: true,
      responses: { 202: "RequestAsync", 400: "RequestValidationError" },
    });
    expect(op.rateLimits.map((r) => r.limit)).toContain("2/second");
    const id: OperationId = "get_heartbeat";
    expect(operations[id].rateLimitExempt).toBe(true);
    expect(defaultRateLimit.limits).toEqual(["90 per minute"]);
    for (const o of Object.values(operations)) {
      if (o.body !== null) expect(schemas.definitionNames, o.operationId).toContain(o.body);
      if (o.inlineBody) expect(schemas.inlineBodySchemas, o.operationId).toHaveProperty(o.operationId);
      for (const name of Object.values(o.responses)) {
        if (name !== null) expect(schemas.definitionNames, o.operationId).toContain(name);
      }
    }
  });
});

describe("generated classes", () => {
  const source = readFileSync(path.join(GENERATED, "classes.ts"), "utf8");
  const defined = [...source.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);

  it("defines each class once, and none of the hand-written ones", () => {
    expect(new Set(defined).size).toBe(defined.length);
    const hand = Object.values(operationClassNames).filter((n) => n.hand !== null);
    expect(hand.length).toBeGreaterThan(0);
    for (const n of hand) expect(defined, n.request).not.toContain(n.request);
  });

  it("generates a request class for every operation without hand-written semantics", () => {
    for (const n of Object.values(operationClassNames)) {
      if (n.hand === null) expect(defined, n.request).toContain(n.request);
      for (const r of Object.values(n.responses)) {
        if (n.hand === null) expect(defined, r).toContain(r);
      }
    }
  });
});
