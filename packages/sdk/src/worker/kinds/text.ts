// Text workers (docs/server/text.md#text): pop a job, generate the text, submit it.
import { HordeError } from "../../core/errors.js";
import { TextGenerateJobPopRequest, TextGenerateJobPopResponse } from "../../models/text/pop.js";
import { TextGenerationJobSubmitRequest } from "../../models/text/submit.js";
import { describe } from "../describe.js";
import type { Resolved } from "../options.js";
import type { TextGenerateOutput, TextWorkerJob, TextWorkerOptions } from "../types.js";
import type { KindAdapter, PopCommon, PopReading, UnitContext } from "./kind.js";
import { allInvalid, isRecord, readPopEnvelope } from "./reading.js";

/** Text jobs always get 150 s (docs/server/progress.md#job-ttl-restarts-and-faulting). */
const TEXT_TTL_SECONDS = 150;

export function textAdapter(options: Resolved<TextWorkerOptions>, common: PopCommon): KindAdapter {
  const auth = common.apikey ? { apikey: common.apikey } : {};
  return {
    kind: "text",
    defaultTtl: TEXT_TTL_SECONDS,
    popRequest: (amount) =>
      new TextGenerateJobPopRequest({
        ...common,
        amount,
        models: options.models ?? [],
        nsfw: options.nsfw ?? true,
        max_length: options.maxLength ?? 512,
        max_context_length: options.maxContextLength ?? 2048,
        ...(options.softprompts ? { softprompts: options.softprompts } : {}),
        ...(options.blacklist ? { blacklist: options.blacklist } : {}),
      }),
    readPop,
    faultedSubmit: (id) =>
      new TextGenerationJobSubmitRequest({ ...auth, id, state: "faulted", generation: "faulted" }),
  };

  function readPop(json: unknown): PopReading {
    const { raw, ids, rest, empty } = readPopEnvelope(json);
    if (empty) return empty;
    const { model, ttl } = rest;
    let pop: TextGenerateJobPopResponse;
    try {
      pop = TextGenerateJobPopResponse.parse(raw);
    } catch (error) {
      return allInvalid(ids, describe(error), rest);
    }
    if (!pop.payload) return allInvalid(ids, "malformed job: payload is missing", rest);
    if (typeof pop.payload.prompt !== "string") {
      return allInvalid(ids, "malformed job: payload.prompt is missing", rest);
    }
    if (model === null) return allInvalid(ids, "malformed job: model is missing", rest);
    return {
      // Every id is its own job (the payload's `n` is 1 per job).
      units: ids.map((id) => ({
        ids: [id],
        slots: 1,
        ttl,
        model,
        run: (ctx: UnitContext) => runText(pop, id, model, ttl, ctx),
      })),
      invalid: [],
      skipped: {},
      unreportable: [],
      ...rest,
    };
  }

  async function runText(
    pop: TextGenerateJobPopResponse,
    id: string,
    model: string,
    ttl: number | null,
    ctx: UnitContext,
  ): Promise<void> {
    const payload = pop.payload ?? {};
    const extraSourceImages: { image: Uint8Array; strength: number }[] = [];
    try {
      for (const extra of pop.extra_source_images ?? []) {
        if (!extra.image) continue;
        extraSourceImages.push({
          image: await ctx.source(extra.image, "extra source image"),
          strength: extra.strength ?? 1,
        });
      }
    } catch (error) {
      await ctx.fault(id, ctx.reasonFor(error, "source"), error);
      return;
    }
    const job: TextWorkerJob = {
      kind: "text",
      id,
      model,
      prompt: payload.prompt ?? "",
      maxLength: payload.max_length ?? 80,
      maxContextLength: payload.max_context_length ?? 2048,
      softprompt: pop.softprompt ?? null,
      extraSourceImages,
      payload,
      ttl,
      deadline: ctx.deadline,
      pop,
    };
    let output: TextGenerateOutput;
    try {
      output = await ctx.generate(() => options.generate(job, ctx.generateContext));
    } catch (error) {
      await ctx.fault(id, ctx.reasonFor(error, "error"), error);
      return;
    }
    const result = typeof output === "string" ? { text: output } : output;
    if (!isRecord(result) || typeof result.text !== "string") {
      await ctx.fault(id, "result", new HordeError("generate returned no text"));
      return;
    }
    await ctx.submit(
      id,
      () =>
        new TextGenerationJobSubmitRequest({
          ...auth,
          id,
          generation: result.text,
          state: result.state ?? "ok",
          ...(typeof result.seed === "number" ? { seed: result.seed } : {}),
          ...(result.gen_metadata ? { gen_metadata: result.gen_metadata } : {}),
        }),
    );
  }
}
