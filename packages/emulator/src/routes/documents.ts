/** The horde's documents (docs/server/directory.md#documents): `/v2/documents/{terms,privacy,sponsors}`. */
import { Hono } from "hono";
import { getDocument } from "../horde/directory/documents.js";
import type { HordeStore } from "../horde/store/store.js";
import { parseArgs } from "../http/args.js";

const FORMAT = {
  format: { type: "str", location: "args", default: "html", help: "html or markdown" },
} as const;

export function documentRoutes(_store: HordeStore): Hono {
  const app = new Hono();
  for (const name of ["terms", "privacy", "sponsors"] as const) {
    app.get(`/v2/documents/${name}`, (c) =>
      c.json(getDocument(name, parseArgs(c, null, FORMAT).format as string), 200),
    );
  }
  return app;
}
