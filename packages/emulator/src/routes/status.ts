/**
 * GET /v2/status/heartbeat, /models, /models/{name}, /performance, /modes and /news (§7).
 * The server serves most of these from caches refreshed every few seconds; the emulator computes them on
 * each call.
 */
import { Hono } from "hono";
import { EMULATED_HORDE_VERSION, type EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import { imageModelInfo, isKnownImageModel, textModelInfo } from "../rules/models.js";
import { PERIOD_MS } from "../state/history.js";
import type { HordeState } from "../state/horde.js";
import { sweep } from "../state/lifecycle.js";
import { counters } from "../state/progress.js";
import { queuedThings, thingsPerImage } from "../state/queue.js";
import type { GenKind } from "../state/requests.js";
import { workerSpeed } from "../state/workers.js";

type ModelState = "known" | "custom" | "all";

interface ActiveModel {
  name: string;
  count: number;
  performance: number;
  queued: number;
  jobs: number;
  eta: number;
  type: GenKind;
}

const isKnown = (kind: GenKind, name: string) =>
  kind === "image" ? isKnownImageModel(name) : textModelInfo(name) !== undefined;

/**
 * One row per model with an active worker (count = their threads) or with queued jobs. `queued` is the
 * work of one job per queued request (not × n), `jobs` is n + processing (§7).
 */
export function activeModels(state: HordeState, kind: GenKind): ActiveModel[] {
  const now = state.now();
  const rows = new Map<string, ActiveModel & { speeds: number[] }>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) {
      r = { name, count: 0, performance: 0, queued: 0, jobs: 0, eta: 0, type: kind, speeds: [] };
      rows.set(name, r);
    }
    return r;
  };
  for (const w of state.workers.active(now, kind)) {
    if (w.maintenance) continue;
    for (const m of w.models) {
      const r = row(m);
      r.count += w.threads;
      const speed = workerSpeed(w);
      if (speed !== null) r.speeds.push(speed);
    }
  }
  for (const req of state.requestsOf(kind)) {
    if (req.faulted) continue;
    const c = counters(state, req);
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

export function statusRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.get("/v2/status/heartbeat", (c) => {
    const threads = state.workers.active(state.now()).reduce((sum, w) => sum + w.threads, 0);
    // `queue` is the node's own HTTP backlog on the server (OVERLOADED when > 0): always 0 here.
    return c.json(
      {
        message: "OK",
        version: EMULATED_HORDE_VERSION,
        queue: 0,
        threads,
        active_count: 0,
        db_connection: true,
      },
      200,
    );
  });

  app.get("/v2/status/models", (c) => {
    sweep(state);
    // QUIRK(§7): `type` defaults to image.
    const kind: GenKind = c.req.query("type") === "text" ? "text" : "image";
    const modelState = (c.req.query("model_state") ?? "all") as ModelState;
    if (!["known", "custom", "all"].includes(modelState)) {
      throw err.badRequest("'model_state' needs to be one of ['known', 'custom', 'all']");
    }
    const min = Number(c.req.query("min_count") ?? Number.NEGATIVE_INFINITY);
    const max = Number(c.req.query("max_count") ?? Number.POSITIVE_INFINITY);
    const rows = activeModels(state, kind).filter((r) => {
      const known = isKnown(kind, r.name);
      if (modelState === "known" && !known) return false;
      if (modelState === "custom" && known) return false;
      return !(r.count < min) && !(r.count > max);
    });
    return c.json(rows, 200);
  });

  // Only known names answer (as a one-element list); anything else is [] (§7).
  app.get("/v2/status/models/:name", (c) => {
    sweep(state);
    const name = c.req.param("name");
    for (const kind of ["image", "text"] as const) {
      if (!isKnown(kind, name)) continue;
      const found = activeModels(state, kind).find((r) => r.name === name);
      return c.json(
        [found ?? { name, count: 0, performance: 0, queued: 0, jobs: 0, eta: 10000, type: kind }],
        200,
      );
    }
    return c.json([], 200);
  });

  app.get("/v2/status/performance", (c) => {
    sweep(state);
    const now = state.now();
    const totals = { image: { jobs: 0, things: 0 }, text: { jobs: 0, things: 0 } };
    for (const req of state.requests.values()) {
      if (req.faulted) continue;
      const cnt = counters(state, req);
      totals[req.kind].jobs += cnt.waiting + cnt.processing;
      totals[req.kind].things += queuedThings(req);
    }
    let queuedForms = 0;
    for (const i of state.interrogations.values()) {
      queuedForms += i.forms.filter((f) => f.state === "waiting" || f.state === "processing").length;
    }
    const workers = (type: "image" | "text" | "interrogation") => state.workers.active(now, type);
    const threads = (type: "image" | "text" | "interrogation") =>
      workers(type).reduce((sum, w) => sum + w.threads, 0);
    return c.json(
      {
        queued_requests: totals.image.jobs,
        queued_text_requests: totals.text.jobs,
        worker_count: workers("image").length,
        text_worker_count: workers("text").length,
        thread_count: threads("image"),
        text_thread_count: threads("text"),
        queued_megapixelsteps: Math.round(totals.image.things * 100) / 100,
        past_minute_megapixelsteps:
          Math.round((state.history.totalsFor("image", "minute", now).amount / 1e6) * 100) / 100,
        queued_forms: queuedForms,
        interrogator_count: workers("interrogation").length,
        interrogator_thread_count: threads("interrogation"),
        queued_tokens: totals.text.things,
        past_minute_tokens: state.history.totalsFor("text", "minute", now).amount,
      },
      200,
    );
  });

  app.get("/v2/status/modes", (c) =>
    c.json(
      {
        maintenance_mode: state.modes.maintenance,
        invite_only_mode: state.modes.inviteOnly,
        raid_mode: state.modes.raid,
      },
      200,
    ),
  );

  app.get("/v2/status/news", (c) =>
    c.json(
      [
        {
          date_published: new Date(state.now() - PERIOD_MS.day).toISOString().slice(0, 10),
          newspiece:
            "You are talking to horde-emulator, a local stand-in for the AI Horde. Nothing here leaves this machine.",
          importance: "Information",
          tags: ["emulator"],
          title: "horde-emulator",
          more_info_urls: [],
        },
      ],
      200,
    ),
  );

  return app;
}
