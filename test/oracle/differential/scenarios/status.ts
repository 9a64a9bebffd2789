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
  scenario(AREA, "models by type and by name", async (c) => {
    await c.step("image models", "GET /v2/status/models", { query: { type: "image" } });
    await c.step("text models", "GET /v2/status/models", { query: { type: "text" } });
    await c.step("all models, bad type", "GET /v2/status/models", { query: { type: "video" } });
    await c.step("model by name, unknown", "GET /v2/status/models/{name}", {
      params: { name: "no such model" },
    });
  }),
  scenario(AREA, "stats totals and models", async (c) => {
    await c.step("image totals", "GET /v2/stats/img/totals");
    await c.step("image models", "GET /v2/stats/img/models");
    await c.step("text totals", "GET /v2/stats/text/totals");
    await c.step("text models", "GET /v2/stats/text/models");
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
