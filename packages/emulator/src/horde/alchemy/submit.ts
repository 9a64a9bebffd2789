/** A new alchemy request (`POST /v2/interrogate/async`, docs/server/alchemy.md#submit): a source image and the forms to run on it. */
import { randomUUID } from "node:crypto";
import type { Caller } from "../caller.js";
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import { formKudos } from "../pricing/alchemy.js";
import { MAX_SOURCE_TILES, tilesOf } from "../reference/forms.js";
import { maintenanceError, tooManyPrompts } from "../requests/checks.js";
import { ingestSourceImage } from "../source-images.js";
import type { Interrogation } from "../store/interrogations.js";
import { REQUEST_LIFETIME_MS } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";

interface FormInput {
  name: string;
  payload?: Record<string, string>;
}

/**
 * Answers a schema-valid body with a `source_image`: the new request's id (docs/server/alchemy.md#submit:
 * a 202 without `message`). The checks run in the server's order; a request without forms is accepted and
 * reads `faulted`.
 */
export async function submitAlchemy(
  store: HordeStore,
  body: Record<string, unknown>,
  caller: Caller,
): Promise<{ id: string }> {
  const forms = (Array.isArray(body.forms) ? body.forms : []) as FormInput[];
  sweep(store);
  const now = store.now();

  if (store.modes.maintenance || caller.maintenance) throw maintenanceError();
  const webhook = typeof body.webhook === "string" && body.webhook !== "" ? body.webhook : undefined;
  if (webhook !== undefined && !store.webhooks.accepts(webhook)) {
    throw err.badRequest("webhooks need to point to an https endpoint.");
  }
  const user = store.users.findByKey(caller.apikey);
  if (!user) throw err.invalidApiKey("interrogate");
  // docs/server/rate-limits.md#concurrency: forms waiting or processing, plus the new ones, within 10× the
  // concurrency.
  let open = 0;
  for (const i of store.allInterrogations()) {
    if (i.userId !== user.id) continue;
    open += i.forms.filter((f) => f.state === "waiting" || f.state === "processing").length;
  }
  const limit = user.concurrency * 10;
  if (open + forms.length > limit) throw tooManyPrompts(user, open + forms.length, limit);

  const id = randomUUID();
  const source = await ingestSourceImage(store, body.source_image as string, `${id}_src.webp`, {
    keepUrl: true,
    maxTiles: MAX_SOURCE_TILES,
  });
  const tiles = tilesOf(source.width, source.height);
  const interrogation: Interrogation = {
    id,
    userId: user.id,
    clientAgent: caller.clientAgent,
    createdAt: now,
    expiresAt: now + REQUEST_LIFETIME_MS,
    sourceUrl: source.url,
    sourceKey: source.key,
    tiles,
    width: source.width,
    height: source.height,
    slowWorkers: typeof body.slow_workers === "boolean" ? body.slow_workers : true,
    trustedWorkers: body.trusted_workers === true,
    webhook,
    // QUIRK(docs/server/alchemy.md#submit): duplicate form names are kept (the server's de-duplication never
    // fills its list).
    forms: forms.map((f) => {
      return {
        id: randomUUID(),
        interrogationId: id,
        name: f.name,
        payload: f.payload,
        state: "waiting",
        result: null,
        workerId: null,
        poppedAt: null,
        aborts: 0,
        kudos: formKudos(f.name, tiles),
      };
    }),
    consumedKudos: 0,
    // The requester's balance orders the alchemy queue (docs/server/alchemy.md#pop).
    priority: user.kudos,
    cancelledAt: null,
  };
  store.addInterrogation(interrogation);
  user.records.request.interrogation += forms.length;
  return { id };
}
