/** The read-only directory: status, news, models, performance, stats, documents, swagger, unknown routes. */
import { type Conversation, scenario } from "../framework.js";

const AREA = "status and directory";

export const statusScenarios = [
  scenario(AREA, "heartbeat, modes, news, performance", async (c: Conversation) => {
    await c.step("heartbeat", "GET /v2/status/heartbeat", { same: ["message"] });
    await c.step("modes", "GET /v2/status/modes", { same: ["maintenance_mode", "invite_only_mode"] });
    await c.step("news", "GET /v2/status/news");
    await c.step("performance", "GET /v2/status/performance");
  }),
  scenario(AREA, "modes: one cached answer for everybody; raid mode for moderators", async (c) => {
    await c.step("without a key", "GET /v2/status/modes", { same: ["maintenance_mode", "invite_only_mode"] });
    // The answer above is cached for 50 s whoever asks: a moderator gets it too, without raid_mode, and a
    // key that is not a moderator's is not even looked at.
    await c.step("as a moderator", "GET /v2/status/modes", { apikey: c.target.adminKey });
    const bob = await c.user("bob");
    await c.step("as somebody else", "GET /v2/status/modes", { apikey: bob.apikey });
    await c.step("with an unknown key", "GET /v2/status/modes", { apikey: "notakey0000000000000zz" });
  }),
  scenario(AREA, "models by type and by name", async (c) => {
    await c.step("image models", "GET /v2/status/models", { query: { type: "image" } });
    await c.step("text models", "GET /v2/status/models", { query: { type: "text" } });
    await c.step("all models, bad type", "GET /v2/status/models", { query: { type: "video" } });
    await c.step("model by name, unknown", "GET /v2/status/models/{name}", {
      params: { name: "no such model" },
    });
    await c.step("known models", "GET /v2/status/models", { query: { type: "image", model_state: "known" } });
    await c.step("custom models", "GET /v2/status/models", {
      query: { type: "image", model_state: "custom" },
    });
    await c.step("a bad model_state", "GET /v2/status/models", { query: { model_state: "weird" } });
    await c.step("at least 1000 workers", "GET /v2/status/models", { query: { min_count: 1000 } });
  }),
  scenario(AREA, "stats totals and models", async (c) => {
    await c.step("image totals", "GET /v2/stats/img/totals");
    await c.step("image models", "GET /v2/stats/img/models");
    await c.step("text totals", "GET /v2/stats/text/totals");
    await c.step("text models", "GET /v2/stats/text/models");
    await c.step("image models, all", "GET /v2/stats/img/models", { query: { model_state: "all" } });
    await c.step("image models, custom", "GET /v2/stats/img/models", { query: { model_state: "custom" } });
    await c.step("image models, a bad state", "GET /v2/stats/img/models", {
      query: { model_state: "weird" },
    });
  }),
  scenario(AREA, "HEAD, OPTIONS and methods a route does not have", async (c) => {
    const id = "00000000-0000-0000-0000-000000000000";
    await c.step("HEAD a check of an unknown id", "HEAD /v2/generate/check/{id}", {
      params: { id },
      message: false,
    });
    await c.step("OPTIONS a status route", "OPTIONS /v2/generate/status/{id}", {
      params: { id },
      message: false,
    });
    await c.step("OPTIONS an unknown path", "OPTIONS /v2/nonexistent", { message: false });
    await c.step("POST to the heartbeat", "POST /v2/status/heartbeat", { body: {} });
    await c.step("DELETE the async route", "DELETE /v2/generate/async");
    await c.step("GET the pop route", "GET /v2/generate/pop");
    await c.step("an unknown path under the API", "GET /v2/generate/nothing");
    await c.step("the API root", "GET /v2");
  }),
  // The documents' content is the emulator's own (docs/server/deviations.md#own-documents): shapes only.
  scenario(AREA, "documents", async (c) => {
    await c.step("terms", "GET /v2/documents/terms");
    await c.step("privacy", "GET /v2/documents/privacy");
    await c.step("sponsors", "GET /v2/documents/sponsors");
    await c.step("terms as markdown", "GET /v2/documents/terms", { query: { format: "markdown" } });
    await c.step("privacy as markdown", "GET /v2/documents/privacy", { query: { format: "markdown" } });
    await c.step("sponsors as html", "GET /v2/documents/sponsors", { query: { format: "html" } });
    await c.step("terms as pdf", "GET /v2/documents/terms", { query: { format: "pdf" } });
    await c.step("privacy, empty format", "GET /v2/documents/privacy", { query: { format: "" } });
  }),
  scenario(AREA, "swagger and unknown routes", async (c) => {
    await c.step("swagger.json", "GET /swagger.json", {
      message: false,
      open: ["paths", "definitions", "info"],
    });
    await c.step("unknown route", "GET /v2/nonexistent");
    await c.step("unknown method", "PATCH /v2/status/heartbeat");
  }),
];
