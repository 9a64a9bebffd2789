/**
 * The warnings of an image 202 (docs/server/image-requests.md#warnings): the request's params against each
 * requested model's
 * `requirements`. QUIRK(docs/server/image-requests.md#warnings): params the client left out are compared as
 * steps 30, cfg 7.5,
 * sampler `k_euler_a` and karras true (not the runtime defaults the job actually gets), and karras maps to
 * the scheduler "karras", false to "simple". Warnings never block the request.
 */
import { imageModelInfo } from "../reference/models.js";

export interface Warning {
  code: string;
  message: string;
}

export function imageWarnings(models: readonly string[], rawParams: Record<string, unknown>): Warning[] {
  const steps = typeof rawParams.steps === "number" ? rawParams.steps : 30;
  const cfg = typeof rawParams.cfg_scale === "number" ? rawParams.cfg_scale : 7.5;
  const sampler = typeof rawParams.sampler_name === "string" ? rawParams.sampler_name : "k_euler_a";
  const scheduler = rawParams.karras === false ? "simple" : "karras";
  const clipSkip = typeof rawParams.clip_skip === "number" ? rawParams.clip_skip : 1;
  const out: Warning[] = [];
  const add = (code: string, message: string) => {
    if (!out.some((w) => w.code === code)) out.push({ code, message });
  };
  for (const model of models) {
    const req = imageModelInfo(model)?.requirements;
    if (!req) continue;
    if (req.clip_skip !== undefined && clipSkip !== req.clip_skip)
      add("ClipSkipMismatch", `Model ${model} requires a clip_skip of ${req.clip_skip}.`);
    if (req.min_steps !== undefined && steps < req.min_steps)
      add("StepsTooFew", `Model ${model} requires at least ${req.min_steps} steps.`);
    if (req.max_steps !== undefined && steps > req.max_steps)
      add("StepsTooMany", `Model ${model} requires at most ${req.max_steps} steps.`);
    if (req.cfg_scale !== undefined && cfg !== req.cfg_scale)
      add("CfgScaleMismatch", `Model ${model} requires a cfg_scale of ${req.cfg_scale}.`);
    if (req.min_cfg_scale !== undefined && cfg < req.min_cfg_scale)
      add("CfgScaleTooSmall", `Model ${model} requires a cfg_scale of at least ${req.min_cfg_scale}.`);
    if (req.max_cfg_scale !== undefined && cfg > req.max_cfg_scale)
      add("CfgScaleTooLarge", `Model ${model} requires a cfg_scale of at most ${req.max_cfg_scale}.`);
    if (req.samplers && !req.samplers.includes(sampler))
      add("SamplerMismatch", `Model ${model} requires one of these samplers: ${req.samplers.join(", ")}.`);
    if (req.schedulers && !req.schedulers.includes(scheduler))
      add(
        "SchedulerMismatch",
        `Model ${model} requires one of these schedulers: ${req.schedulers.join(", ")}.`,
      );
  }
  return out;
}
