/**
 * What the horde says about itself (docs/server/directory.md#directory): `/v2/status/heartbeat`, `/models`,
 * `/performance`, `/modes`,
 * `/news`, and the delivery statistics of `/v2/stats/*`. The server serves most of these from caches
 * refreshed every few seconds; the emulator computes them on each call.
 */
import { counters, queuedJobs } from "../progress.js";
import { queuedThings, thingsPerImage } from "../queue.js";
import { imageModelInfo, isKnownImageModel, textModelInfo } from "../reference/models.js";
import { PERIOD_MS, type Period } from "../store/history.js";
import type { GenKind } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import { type WorkerType, workerSpeed } from "../store/workers.js";

/** The server version the emulator answers as (docs/server/README.md#server-version: HORDE_VERSION 5.1.5). */
export const EMULATED_HORDE_VERSION = "5.1.5";

export function heartbeat(store: HordeStore) {
  const threads = store.workers.active(store.now()).reduce((sum, w) => sum + w.threads, 0);
  // `queue` is the node's own HTTP backlog on the server (OVERLOADED when > 0): always 0 here.
  return {
    message: "OK",
    version: EMULATED_HORDE_VERSION,
    queue: 0,
    threads,
    active_count: 0,
    db_connection: true,
  };
}

export interface ActiveModel {
  name: string;
  count: number;
  performance: number;
  queued: number;
  jobs: number;
  eta: number;
  type: GenKind;
}

export const isKnownModel = (kind: GenKind, name: string): boolean =>
  kind === "image" ? isKnownImageModel(name) : textModelInfo(name) !== undefined;

/**
 * One row per model with an active worker (count = their threads) or with queued jobs. `queued` is the
 * work of one job per queued request (not × n), `jobs` is n + processing
 * (docs/server/directory.md#directory).
 */
export function activeModels(store: HordeStore, kind: GenKind): ActiveModel[] {
  const now = store.now();
  const rows = new Map<string, ActiveModel & { speeds: number[] }>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) {
      r = { name, count: 0, performance: 0, queued: 0, jobs: 0, eta: 0, type: kind, speeds: [] };
      rows.set(name, r);
    }
    return r;
  };
  for (const w of store.workers.active(now, kind)) {
    if (w.maintenance) continue;
    for (const m of w.models) {
      const r = row(m);
      r.count += w.threads;
      const speed = workerSpeed(w);
      if (speed !== null) r.speeds.push(speed);
    }
  }
  for (const req of store.requestsOf(kind)) {
    if (req.faulted) continue;
    const c = counters(store, req);
    if (c.waiting + c.processing === 0) continue;
    for (const m of req.models) {
      const r = row(m);
      const perJob = kind === "image" ? thingsPerImage(req) * 1e6 : thingsPerImage(req);
      if (req.remaining > 0) r.queued += perJob;
      r.jobs += c.waiting + c.processing;
    }
  }
  return [...rows.values()]
    .filter(
      (r) => !r.name.startsWith("horde_special") && !(kind === "image" && imageModelInfo(r.name)?.hidden),
    )
    .map(({ speeds, ...r }) => {
      const performance = speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : 0;
      const eta = performance > 0 && r.count > 0 ? Math.floor(r.queued / (r.count * performance)) : 10000;
      return { ...r, performance: Math.round(performance * 100) / 100, eta };
    });
}

/** The row of a known model, active or not (docs/server/directory.md#directory); null for names outside the reference. */
export function knownModel(store: HordeStore, name: string): ActiveModel | null {
  for (const kind of ["image", "text"] as const) {
    if (!isKnownModel(kind, name)) continue;
    const found = activeModels(store, kind).find((r) => r.name === name);
    return found ?? { name, count: 0, performance: 0, queued: 0, jobs: 0, eta: 10000, type: kind };
  }
  return null;
}

export function performance(store: HordeStore) {
  const now = store.now();
  const queuedThingsOf = (kind: GenKind) =>
    store
      .requestsOf(kind)
      .filter((r) => !r.faulted)
      .reduce((sum, r) => sum + queuedThings(r), 0);
  let queuedForms = 0;
  for (const i of store.allInterrogations()) {
    queuedForms += i.forms.filter((f) => f.state === "waiting" || f.state === "processing").length;
  }
  const workers = (type: WorkerType) => store.workers.active(now, type);
  const threads = (type: WorkerType) => workers(type).reduce((sum, w) => sum + w.threads, 0);
  return {
    queued_requests: queuedJobs(store, "image"),
    queued_text_requests: queuedJobs(store, "text"),
    worker_count: workers("image").length,
    text_worker_count: workers("text").length,
    thread_count: threads("image"),
    text_thread_count: threads("text"),
    queued_megapixelsteps: Math.round(queuedThingsOf("image") * 100) / 100,
    past_minute_megapixelsteps:
      Math.round((store.history.totalsFor("image", "minute", now).amount / 1e6) * 100) / 100,
    queued_forms: queuedForms,
    interrogator_count: workers("interrogation").length,
    interrogator_thread_count: threads("interrogation"),
    queued_tokens: queuedThingsOf("text"),
    past_minute_tokens: store.history.totalsFor("text", "minute", now).amount,
  };
}

/** The modes; `raid_mode` only for a moderator (skip_none drops it otherwise). */
export function modes(store: HordeStore, showRaid: boolean) {
  return {
    maintenance_mode: store.modes.maintenance,
    invite_only_mode: store.modes.inviteOnly,
    ...(showRaid ? { raid_mode: store.modes.raid } : {}),
  };
}

export function news(store: HordeStore) {
  return [
    {
      date_published: new Date(store.now() - PERIOD_MS.day).toISOString().slice(0, 10),
      newspiece:
        "You are talking to horde-emulator, a local stand-in for the AI Horde. Nothing here leaves this machine.",
      importance: "Information",
      tags: ["emulator"],
      title: "horde-emulator",
      more_info_urls: [],
    },
  ];
}

const PERIODS: readonly Period[] = ["minute", "hour", "day", "month", "total"];

/** `/v2/stats/img/totals` and `/text/totals`: deliveries per period. */
export function deliveryTotals(store: HordeStore, kind: GenKind) {
  const now = store.now();
  const out: Record<string, Record<string, number>> = {};
  for (const p of PERIODS) {
    const t = store.history.totalsFor(kind, p, now);
    out[p] =
      kind === "image"
        ? { images: t.count, ps: Math.round(t.amount) }
        : { requests: t.count, tokens: Math.round(t.amount) };
  }
  return out;
}

/** `/v2/stats/img/models` and `/text/models`: deliveries per model and period, of the models `keep` admits. */
export function deliveriesByModel(store: HordeStore, kind: GenKind, keep: (model: string) => boolean) {
  const now = store.now();
  const out: Record<string, Record<string, number>> = {};
  for (const p of ["day", "month", "total"] as const) {
    out[p] = Object.fromEntries(
      Object.entries(store.history.modelsFor(kind, p, now)).filter(([m]) => keep(m)),
    );
  }
  return out;
}
