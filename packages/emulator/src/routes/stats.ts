/** GET /v2/stats/img|text/totals|models (§7): deliveries per period and per model. */
import { Hono } from "hono";
import type { EmulatorContext } from "../context.js";
import { err } from "../http/errors.js";
import { isKnownImageModel } from "../rules/models.js";
import type { Period } from "../state/history.js";

const PERIODS: readonly Period[] = ["minute", "hour", "day", "month", "total"];

export function statsRoutes(ctx: EmulatorContext): Hono {
  const app = new Hono();
  const { state } = ctx;

  app.get("/v2/stats/img/totals", (c) => {
    const now = state.now();
    const out: Record<string, { images: number; ps: number }> = {};
    for (const p of PERIODS) {
      const t = state.history.totalsFor("image", p, now);
      out[p] = { images: t.count, ps: Math.round(t.amount) };
    }
    return c.json(out, 200);
  });

  app.get("/v2/stats/text/totals", (c) => {
    const now = state.now();
    const out: Record<string, { requests: number; tokens: number }> = {};
    for (const p of PERIODS) {
      const t = state.history.totalsFor("text", p, now);
      out[p] = { requests: t.count, tokens: Math.round(t.amount) };
    }
    return c.json(out, 200);
  });

  // QUIRK(§7): image model stats default to `known` models and refuse other states with a 400.
  app.get("/v2/stats/img/models", (c) => {
    const modelState = c.req.query("model_state") ?? "known";
    if (!["known", "custom", "all"].includes(modelState)) {
      throw err.badRequest("'model_state' needs to be one of ['known', 'custom', 'all']");
    }
    const keep = (m: string) => modelState === "all" || (modelState === "known") === isKnownImageModel(m);
    return c.json(modelsBy(ctx, "image", keep), 200);
  });

  app.get("/v2/stats/text/models", (c) =>
    c.json(
      // Text model stats have no model_state filter: every model counts.
      modelsBy(ctx, "text", () => true),
      200,
    ),
  );

  return app;
}

function modelsBy(ctx: EmulatorContext, kind: "image" | "text", keep: (model: string) => boolean) {
  const now = ctx.state.now();
  const out: Record<string, Record<string, number>> = {};
  for (const p of ["day", "month", "total"] as const) {
    out[p] = Object.fromEntries(
      Object.entries(ctx.state.history.modelsFor(kind, p, now)).filter(([m]) => keep(m)),
    );
  }
  return out;
}
