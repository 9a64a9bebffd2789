/**
 * The emulator's web page (on with `createEmulator({ ui: true })`): `GET /` serves a page that submits
 * image requests with the browser build of horde-sdk, watches their progress, shows the pictures and
 * cancels, beside a panel with the horde's state (workers, queue, requests, kudos). The page's code is
 * bundled by `scripts/build-ui.mjs` into `dist/ui/` (`npm run build`); this module only serves it.
 *
 *   GET /                 the page
 *   GET /_ui/app.js       the bundle (page code + horde-sdk + zod), with its source map
 *   GET /_ui/app.css      the styles
 */
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { renderPage, renderUnbuiltPage } from "./html.js";

/** Where the bundle lives: beside this module once compiled (dist/ui/), or in dist/ui/ when run from src/ui/. */
const ASSET_DIRS = [new URL("./", import.meta.url), new URL("../../dist/ui/", import.meta.url)];

const ASSETS: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.js.map": "application/json; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "app.css.map": "application/json; charset=utf-8",
};

async function readAsset(name: string): Promise<Uint8Array | null> {
  for (const dir of ASSET_DIRS) {
    try {
      return new Uint8Array(await readFile(new URL(name, dir)));
    } catch {
      // try the next place
    }
  }
  return null;
}

export function uiRoutes(): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    // The page is only useful with its bundle: say how to build it rather than serve a dead page.
    const bundle = await readAsset("app.js");
    c.header("Cache-Control", "no-cache");
    if (!bundle) return c.html(renderUnbuiltPage(), 503);
    return c.html(renderPage({ version: shortHash(bundle) }), 200);
  });

  app.get("/_ui/:name", async (c) => {
    const name = c.req.param("name");
    const type = ASSETS[name];
    const bytes = type ? await readAsset(name) : null;
    if (!type || !bytes) return c.text("Not Found", 404);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": type,
      "Cache-Control": "no-cache",
    });
  });

  return app;
}

/** A short content hash for cache busting (`app.js?v=…`). FNV-1a is plenty for that. */
function shortHash(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
