/**
 * `WorkerDetails` (docs/server/directory.md#worker-details `/v2/workers…`): the common fields, the type's
 * own fields, the owner and the worker's messages when the owner made their workers public or the caller
 * is a moderator, and a moderator's extra fields. Values the server has none for are left out; counters
 * are whole numbers, as the server stores them.
 */
import type { HordeStore } from "../store/store.js";
import { ACTIVE_WINDOW_MS, type Worker, workerSpeed } from "../store/workers.js";
import { workerMessageView } from "./messages.js";

/** 0: anybody, 2: a moderator (the owner's key shows no more than anybody's). */
export type WorkerPrivilege = 0 | 2;

/** What one unit of a worker's speed is called, and how many raw units it has (docs/server/directory.md#worker-details). */
const THINGS: Record<"image" | "text", { name: string; divisor: number }> = {
  image: { name: "megapixelsteps", divisor: 1e6 },
  text: { name: "tokens", divisor: 1 },
};

/** Python's `str(round(x, 1))`: always one decimal at least (`1.0`). */
function round1(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/**
 * Before its first delivery a worker is credited with one thing per second (the server's baseline).
 * Alchemists report their seconds per form instead.
 */
function performance(worker: Worker): string {
  const speed = workerSpeed(worker);
  if (worker.type === "interrogation") {
    return speed === null ? "No requests fulfilled yet" : `${round1(speed)} seconds per form`;
  }
  const thing = THINGS[worker.type];
  return `${round1((speed ?? thing.divisor) / thing.divisor)} ${thing.name} per second`;
}

export function workerDetails(
  store: HordeStore,
  worker: Worker,
  privilege: WorkerPrivilege,
): Record<string, unknown> {
  const now = store.now();
  const owner = store.users.findById(worker.ownerId);
  const team = worker.teamId === null ? undefined : store.teams.find(worker.teamId);
  const out: Record<string, unknown> = {
    type: worker.type,
    name: worker.name,
    id: worker.id,
    online: now - worker.lastCheckIn <= ACTIVE_WINDOW_MS,
    requests_fulfilled: worker.fulfilled,
    kudos_rewards: Math.round(worker.kudosGenerated) + Math.round(worker.kudosUptime),
    // The per-action totals exist once the worker earned that way.
    kudos_details: {
      generated: worker.kudosGenerated > 0 ? Math.round(worker.kudosGenerated) : null,
      uptime: worker.kudosUptime > 0 ? Math.round(worker.kudosUptime) : null,
    },
    performance: performance(worker),
    threads: worker.threads,
    uptime: Math.floor(worker.uptimeMs / 1000),
    maintenance_mode: worker.maintenance,
    trusted: owner?.trusted ?? false,
    flagged: owner?.flagged ?? false,
    uncompleted_jobs: worker.abortedAt.length,
    team: team ? { name: team.name, id: team.id } : { name: null, id: null },
    bridge_agent: worker.bridgeAgent,
  };
  if (worker.info !== null) out.info = worker.info;
  if (worker.type === "image") {
    Object.assign(out, {
      nsfw: worker.nsfw,
      models: worker.models,
      max_pixels: worker.maxPixels,
      megapixelsteps_generated: Math.round(worker.megapixelsteps),
      img2img: worker.allowImg2img,
      painting: worker.allowPainting,
      "post-processing": worker.allowPostProcessing,
      lora: worker.allowLora,
      controlnet: worker.allowControlnet,
      sdxl_controlnet: worker.allowSdxlControlnet,
    });
  } else if (worker.type === "text") {
    Object.assign(out, {
      nsfw: worker.nsfw,
      models: worker.models,
      max_length: worker.maxLength,
      max_context_length: worker.maxContextLength,
    });
  } else {
    out.forms = worker.forms;
  }
  if (privilege >= 2) {
    Object.assign(out, { paused: worker.paused, suspicious: 0, ipaddr: "127.0.0.1" });
    if (owner?.contact) out.contact = owner.contact;
  }
  if (privilege >= 2 || owner?.publicWorkers) {
    out.owner = owner?.username ?? "";
    out.messages = store.messages
      .all()
      .filter((m) => m.workerId === worker.id && m.expiresAt > now)
      .map(workerMessageView)
      .map(({ id: _id, ...rest }) => rest);
  }
  return out;
}
