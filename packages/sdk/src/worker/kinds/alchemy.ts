// Alchemy workers (docs/server/alchemy.md#alchemy): pop forms, download each form's source image, run it,
// upload an
// image result to the form's R2 URL, submit `{ [form]: value }`.
import { HordeError } from "../../core/errors.js";
import { AlchemyJobPopResponse, AlchemyPopRequest } from "../../models/alchemy/pop.js";
import { AlchemyJobSubmitRequest } from "../../models/alchemy/submit.js";
import * as schemas from "../../models/generated/schemas.js";
import { describe } from "../describe.js";
import type { Resolved } from "../options.js";
import type { AlchemyWorkerJob, AlchemyWorkerOptions } from "../types.js";
import type { KindAdapter, PopCommon, PopReading, UnitContext } from "./kind.js";
import { isImageBytes, isRecord, readSkipped, toBytes } from "./reading.js";

/** A popped form has 3 minutes (docs/server/alchemy.md#alchemy); the pop does not say so. */
const FORM_TTL_SECONDS = 180;

export function alchemyAdapter(options: Resolved<AlchemyWorkerOptions>, common: PopCommon): KindAdapter {
  const auth = common.apikey ? { apikey: common.apikey } : {};
  const { require_upfront_kudos: _r, extra_slow_worker: _e, ...alchemyCommon } = common;
  return {
    kind: "alchemy",
    defaultTtl: FORM_TTL_SECONDS,
    popRequest: (amount) =>
      new AlchemyPopRequest({
        ...alchemyCommon,
        amount,
        ...(options.forms ? { forms: options.forms } : {}),
        max_tiles: options.maxTiles ?? 80,
      }),
    readPop,
    faultedSubmit: (id) => new AlchemyJobSubmitRequest({ ...auth, id, result: {}, state: "faulted" }),
  };

  function readPop(json: unknown): PopReading {
    const raw = isRecord(json) ? json : {};
    const forms = Array.isArray(raw.forms) ? raw.forms : [];
    const reading: PopReading = {
      units: [],
      invalid: [],
      skipped: {},
      messages: [],
      model: null,
      ttl: FORM_TTL_SECONDS,
      forms: [],
      unreportable: [],
    };
    if (forms.length === 0) return { ...reading, skipped: readSkipped(raw.skipped) };
    // Each form is checked on its own: one malformed form does not fault the others.
    const valid: schemas.InterrogationPopFormPayload[] = [];
    for (const [i, form] of forms.entries()) {
      const id = isRecord(form) && typeof form.id === "string" && form.id !== "" ? form.id : null;
      if (id === null) {
        reading.unreportable.push(`forms[${i}] has no id`);
        continue;
      }
      const parsed = schemas.InterrogationPopFormPayload.safeParse(form);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue ? `forms[${i}].${issue.path.join(".")}` : `forms[${i}]`;
        reading.invalid.push({ id, message: `malformed job: ${where}: ${issue?.message ?? "invalid"}` });
        continue;
      }
      const data = parsed.data;
      if (typeof data.form !== "string" || data.form === "") {
        reading.invalid.push({ id, message: `malformed job: forms[${i}].form is missing` });
        continue;
      }
      if (typeof data.source_image !== "string" || data.source_image === "") {
        reading.invalid.push({ id, message: `malformed job: forms[${i}].source_image is missing` });
        continue;
      }
      valid.push(data);
    }
    let pop: AlchemyJobPopResponse;
    try {
      pop = AlchemyJobPopResponse.parse({ ...raw, forms: valid });
    } catch (error) {
      for (const form of valid) reading.invalid.push({ id: form.id as string, message: describe(error) });
      return reading;
    }
    for (const form of valid) {
      reading.forms?.push(form.form as string);
      reading.units.push({
        ids: [form.id as string],
        slots: 1,
        ttl: FORM_TTL_SECONDS,
        model: form.form as string,
        run: (ctx) => runForm(pop, form, ctx),
      });
    }
    return reading;
  }

  async function runForm(
    pop: AlchemyJobPopResponse,
    form: schemas.InterrogationPopFormPayload,
    ctx: UnitContext,
  ): Promise<void> {
    const id = form.id as string;
    const name = form.form as string;
    let sourceImage: Uint8Array;
    try {
      sourceImage = await ctx.source(form.source_image as string, "source image");
    } catch (error) {
      await ctx.fault(id, ctx.reasonFor(error, "source"), error);
      return;
    }
    const job: AlchemyWorkerJob = {
      kind: "alchemy",
      id,
      form: name,
      expectsImage: typeof form.r2_upload === "string" && form.r2_upload !== "",
      payload: { ...(form.payload ?? {}) },
      sourceImage,
      ttl: FORM_TTL_SECONDS,
      deadline: ctx.deadline,
      pop,
    };
    let output: unknown;
    try {
      output = await ctx.generate(() => options.generate(job, ctx.generateContext));
    } catch (error) {
      await ctx.fault(id, ctx.reasonFor(error, "error"), error);
      return;
    }
    let value: unknown = output;
    if (isImageBytes(output)) {
      if (!form.r2_upload) {
        await ctx.fault(
          id,
          "result",
          new HordeError(`generate returned an image, but form ${name} has no upload URL`),
        );
        return;
      }
      try {
        const bytes = await toBytes(output);
        if (bytes.length === 0) throw new HordeError("generate returned an empty image");
        await ctx.upload(form.r2_upload, bytes);
      } catch (error) {
        await ctx.fault(id, ctx.reasonFor(error, "upload"), error);
        return;
      }
      value = "R2";
    } else if (value === undefined || value === null) {
      await ctx.fault(id, "result", new HordeError(`generate returned no result for form ${name}`));
      return;
    } else if (job.expectsImage) {
      await ctx.fault(
        id,
        "result",
        new HordeError(`form ${name} expects an image; generate returned ${typeof value}`),
      );
      return;
    }
    await ctx.submit(
      id,
      () => new AlchemyJobSubmitRequest({ ...auth, id, result: { [name]: value }, state: "ok" }),
    );
  }
}
