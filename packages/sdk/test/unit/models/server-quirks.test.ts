// Server quirks encoded in the models: open rc strings (trailing dots, lost rcs), runtime defaults that differ
// from the documented ones, and the strict/lenient validation switch.
import {
  AIHordeRequestError,
  HordeValidationError,
  hasRc,
  ImageGenerateCheckResponse,
  ImageGenerateJobPopRequest,
  isStrictValidation,
  LOST_RC,
  normalizeRc,
  RC_WITH_TRAILING_DOT,
  RequestErrorResponse,
  rcMatches,
  runtimeDefaultsOf,
  SERVER_RUNTIME_DEFAULTS,
  schemas,
  TextGenerateStatusResponse,
  UNLISTED_RC,
  WorkerDetailItem,
  withStrictValidation,
} from "horde-sdk";
import { progressDoc } from "horde-test-support/sdk";
import { describe, expect, expectTypeOf, it } from "vitest";
import { imageRecipe } from "../../../src/jobs/image.js";

describe("rc is an open string", () => {
  it("trailing dots and blanks are ignored when matching", () => {
    expect(RC_WITH_TRAILING_DOT).toContain("TooManyExtraSourceImages");
    expect(normalizeRc("TooManyExtraSourceImages.")).toBe("TooManyExtraSourceImages");
    expect(normalizeRc(null)).toBeNull();
    expect(rcMatches("TooManyExtraSourceImages.", "TooManyExtraSourceImages")).toBe(true);
    expect(rcMatches("KudosUpfront", "TooManyPrompts")).toBe(false);
    expect(rcMatches(null, "KudosUpfront")).toBe(false);
  });

  it("lost rcs (a server bug sends BadRequest / Forbidden) match only when asked to", () => {
    expect(LOST_RC.StyleMismatch).toBe("BadRequest");
    expect(rcMatches("BadRequest", "StyleMismatch")).toBe(false);
    expect(rcMatches("BadRequest", "StyleMismatch", { includeLost: true })).toBe(true);
    expect(rcMatches("Forbidden", "SpecialForbidden", { includeLost: true })).toBe(true);
    expect(rcMatches("Forbidden", "StyleMismatch", { includeLost: true })).toBe(false);
  });

  it("hasRc reads an AIHordeRequestError; unknown rcs are carried, not rejected", () => {
    const error = new AIHordeRequestError({
      status: 400,
      message: "too many",
      rc: "MoreThanMinExtraSourceImage.",
      method: "POST",
      url: "https://h/api/v2/generate/async",
    });
    expect(hasRc(error, "MoreThanMinExtraSourceImage")).toBe(true);
    expect(hasRc(new Error("x"), "MoreThanMinExtraSourceImage")).toBe(false);
    expect(RequestErrorResponse.parse({ message: "m", rc: "SomethingBrandNew." }).rc).toBe(
      "SomethingBrandNew.",
    );
    expect(schemas.RequestError.safeParse({ message: "m", rc: "BannedClientAgent" }).success).toBe(true);
  });

  it("UNLISTED_RC holds codes the server raises that its own list lacks", () => {
    for (const rc of UNLISTED_RC) expect(schemas.KNOWN_RC as readonly string[], rc).not.toContain(rc);
    expect(UNLISTED_RC).toContain("BannedClientAgent");
  });
});

describe("runtime defaults", () => {
  it("each documented default in the table is the contract's (so a contract change shows here)", () => {
    const documented = schemas.swaggerDefaults as Record<string, Record<string, unknown>>;
    for (const [definition, fields] of Object.entries(SERVER_RUNTIME_DEFAULTS)) {
      expect(schemas.definitionNames as readonly string[], definition).toContain(definition);
      for (const [field, d] of Object.entries(
        fields as Record<string, { runtime: unknown; documented: unknown }>,
      )) {
        expect(documented[definition]?.[field], `${definition}.${field}`).toEqual(d.documented);
        expect(d.runtime, `${definition}.${field} differs`).not.toEqual(d.documented);
      }
    }
  });

  it("requests never inject defaults: only what you set is sent, and the runtime values can be made explicit", () => {
    const bare = new ImageGenerateJobPopRequest({ name: "w", max_pixels: 262144 });
    expect(bare.body()).toEqual({ name: "w", max_pixels: 262144 });
    const explicit = new ImageGenerateJobPopRequest({
      ...runtimeDefaultsOf("PopInputStable"),
      name: "w",
      max_pixels: 262144,
    });
    expect(explicit.body()).toMatchObject({ nsfw: true, allow_lora: false, limit_max_steps: false });
    expectTypeOf(runtimeDefaultsOf("InterrogationPopInput").max_tiles).toEqualTypeOf<number>();
  });
});

describe("strict and lenient validation", () => {
  const worker = {
    id: "w1",
    name: "w",
    bridge_agent: "a:1:b",
    brand_new_field: 1,
    team: { id: null, extra: 2 },
  };

  it("lenient by default: unknown fields are kept, at any depth", () => {
    expect(isStrictValidation()).toBe(false);
    const w = WorkerDetailItem.parse(worker);
    expect(w.toJSON()).toEqual(worker);
  });

  it("strict inside withStrictValidation: every unknown field is reported at its path", () => {
    let error: unknown;
    withStrictValidation(() => {
      expect(isStrictValidation()).toBe(true);
      try {
        WorkerDetailItem.parse(worker);
      } catch (e) {
        error = e;
      }
    });
    expect(isStrictValidation()).toBe(false);
    expect(error).toBeInstanceOf(HordeValidationError);
    expect((error as HordeValidationError).issues.map((i) => i.path).sort()).toEqual([
      "brand_new_field",
      "team.extra",
    ]);
  });

  it("strict applies to hand-written models built on the generated schemas, and to requests", () => {
    const status = {
      ...progressDoc({ waiting: 0, done: true, wait_time: 0, queue_position: 0, kudos: 1 }),
      generations: [],
      extra: true,
    };
    expect(TextGenerateStatusResponse.parse(status).toJSON()).toEqual(status);
    expect(() => withStrictValidation(() => TextGenerateStatusResponse.parse(status))).toThrow(/extra/);
    expect(() =>
      withStrictValidation(() => new ImageGenerateJobPopRequest({ name: "w", max_pixel: 1 } as never)),
    ).toThrow(/max_pixel/);
  });

  it("an async scope stays strict until its promise settles", async () => {
    const pending = withStrictValidation(async () => {
      await new Promise((r) => setTimeout(r, 1));
      return isStrictValidation();
    });
    expect(await pending).toBe(true);
    expect(isStrictValidation()).toBe(false);
  });
});

describe("done while a restarted job is still processing", () => {
  // docs/server/progress.md#counters: after restarts, `done` counts faulted rows as finished, so the server
  // can say done with one of two results still in flight. Taking it at its word would lose that result.
  const counters = { finished: 1, processing: 1, restarted: 2, waiting: 0, done: true, faulted: false };
  const text = (extra: Record<string, unknown>) =>
    TextGenerateStatusResponse.parse({
      ...counters,
      wait_time: 1,
      queue_position: 0,
      kudos: 5,
      is_possible: true,
      generations: [{ text: "one", seed: 1, worker_id: "w", worker_name: "w", model: "m", state: "ok" }],
      ...extra,
    });

  it("a text request is complete only once nothing is processing (or all results are in)", () => {
    expect(text({}).isJobComplete(2)).toBe(false);
    expect(text({ processing: 0, restarted: 3 }).isJobComplete(2)).toBe(true);
    expect(text({ faulted: true }).isJobComplete(2)).toBe(true);
    expect(text({}).isJobComplete(1)).toBe(true);
  });

  it("an image job waits for the processing image", () => {
    const kind = imageRecipe.kind(2, {});
    const check = (extra: Record<string, unknown>) =>
      ImageGenerateCheckResponse.parse({
        ...counters,
        wait_time: 1,
        queue_position: 0,
        kudos: 5,
        is_possible: true,
        ...extra,
      });
    expect(kind.isDone(check({}))).toBe(false);
    expect(kind.isDone(check({ processing: 0, finished: 2 }))).toBe(true);
    expect(kind.isDone(check({ faulted: true }))).toBe(true);
  });
});
