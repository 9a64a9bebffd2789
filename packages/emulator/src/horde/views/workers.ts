/**
 * `WorkerDetails` (docs/server/directory.md#directory `/v2/workers…`): the common fields, the type's own
 * fields, and the owner only when
 * the owner's workers are public or the caller is privileged (the owner or a moderator).
 */
import { round2 } from "../pricing/round.js";
import type { HordeStore } from "../store/store.js";
import { ACTIVE_WINDOW_MS, type Worker, workerSpeed } from "../store/workers.js";

/** 0: anybody, 1: the owner, 2: a moderator. */
export type WorkerPrivilege = 0 | 1 | 2;

function performance(worker: Worker): string {
  const speed = workerSpeed(worker);
  if (speed === null) return "No requests fulfilled yet";
  if (worker.type === "image") return `${round2(speed / 1e6)} megapixelsteps per second`;
  if (worker.type === "text") return `${round2(speed)} tokens per second`;
  return `${round2(speed)} forms per second`;
}

export function workerDetails(
  store: HordeStore,
  worker: Worker,
  privilege: WorkerPrivilege,
): Record<string, unknown> {
  const now = store.now();
  const owner = store.users.findById(worker.ownerId);
  const out: Record<string, unknown> = {
    type: worker.type,
    name: worker.name,
    id: worker.id,
    online: now - worker.lastCheckIn <= ACTIVE_WINDOW_MS,
    requests_fulfilled: worker.fulfilled,
    kudos_rewards: round2(worker.kudosGenerated + worker.kudosUptime),
    kudos_details: { generated: round2(worker.kudosGenerated), uptime: Math.round(worker.kudosUptime) },
    performance: performance(worker),
    threads: worker.threads,
    uptime: Math.floor(worker.uptimeMs / 1000),
    maintenance_mode: worker.maintenance,
    info: worker.info,
    nsfw: worker.nsfw,
    trusted: owner?.trusted ?? false,
    flagged: owner?.flagged ?? false,
    uncompleted_jobs: worker.abortedAt.length,
    models: worker.models,
    // Inferred (docs/server/directory.md#directory): a worker without a team shows both team fields null.
    team: { name: null, id: null },
    bridge_agent: worker.bridgeAgent,
  };
  if (worker.type === "image") {
    Object.assign(out, {
      max_pixels: worker.maxPixels,
      megapixelsteps_generated: round2(worker.megapixelsteps),
      img2img: worker.allowImg2img,
      painting: worker.allowPainting,
      "post-processing": worker.allowPostProcessing,
      lora: worker.allowLora,
      controlnet: worker.allowControlnet,
      sdxl_controlnet: worker.allowSdxlControlnet,
    });
  } else if (worker.type === "text") {
    Object.assign(out, {
      max_length: worker.maxLength,
      max_context_length: worker.maxContextLength,
      tokens_generated: Math.round(worker.tokens),
    });
  } else {
    out.forms = worker.forms.length > 0 ? worker.forms : ["caption"];
  }
  if (privilege >= 1 || owner?.publicWorkers) {
    out.owner = owner?.username ?? "";
    out.messages = [];
  }
  if (privilege >= 2) {
    Object.assign(out, { paused: false, suspicious: 0, ipaddr: "127.0.0.1" });
    if (owner?.contact && owner.contact.length >= 5) out.contact = owner.contact;
  }
  return out;
}
