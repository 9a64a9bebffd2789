/**
 * The warnings of an image 202 (docs/server/image-requests.md#warnings): the request's params against each
 * requested model's `requirements`. QUIRK(docs/server/image-requests.md#warnings): params the client left
 * out are compared as steps 30, cfg 7.5, sampler `k_euler_a` and karras true (not the runtime defaults the
 * job actually gets), and karras maps to the scheduler "karras", false to "simple". Warnings never block
 * the request.
 */
import { imageModelInfo } from "../reference/models.js";
import { type Warning, type WarningCode, warning } from "../reference/warnings.js";

export type { Warning };

export function imageWarnings(models: readonly string[], rawParams: Record<string, unknown>): Warning[] {
  const steps = typeof rawParams.steps === "number" ? rawParams.steps : 30;
  const cfg = typeof rawParams.cfg_scale === "number" ? rawParams.cfg_scale : 7.5;
  const sampler = typeof rawParams.sampler_name === "string" ? rawParams.sampler_name : "k_euler_a";
  const scheduler = rawParams.karras === false ? "simple" : "karras";
  const clipSkip = typeof rawParams.clip_skip === "number" ? rawParams.clip_skip : 1;
  const codes = new Set<WarningCode>();
  for (const model of models) {
    const req = imageModelInfo(model)?.requirements;
    if (!req) continue;
    if (req.clip_skip !== undefined && clipSkip !== req.clip_skip) codes.add("ClipSkipMismatch");
    if (req.min_steps !== undefined && steps < req.min_steps) codes.add("StepsTooFew");
    if (req.max_steps !== undefined && steps > req.max_steps) codes.add("StepsTooMany");
    if (req.cfg_scale !== undefined && cfg !== req.cfg_scale) codes.add("CfgScaleMismatch");
    if (req.min_cfg_scale !== undefined && cfg < req.min_cfg_scale) codes.add("CfgScaleTooSmall");
    if (req.max_cfg_scale !== undefined && cfg > req.max_cfg_scale) codes.add("CfgScaleTooLarge");
    if (req.samplers && !req.samplers.includes(sampler)) codes.add("SamplerMismatch");
    if (req.schedulers && !req.schedulers.includes(scheduler)) codes.add("SchedulerMismatch");
  }
  return [...codes].map(warning);
}
