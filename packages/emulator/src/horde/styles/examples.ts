/**
 * Image style examples (docs/server/directory.md#styles-and-collections):
 * `POST /v2/styles/image/{id}/example`, `PATCH`/`DELETE …/example/{example_id}`. At most 4 per style,
 * HTTPS URLs only; the owner or a moderator changes them.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import type { HordeStore } from "../store/store.js";
import type { Style, StyleExample } from "../store/styles.js";
import type { User } from "../store/users.js";
import { styleModified } from "../views/styles.js";
import { findStyle } from "./styles.js";

const MAX_EXAMPLES = 4;

function requireHttps(url: string): void {
  if (!url.startsWith("https://")) throw refuse.badRequest("The url has to start with 'https://'");
}

function ownStyle(store: HordeStore, user: User, styleId: string): Style {
  const style = findStyle(store, styleId);
  if (style.ownerId !== user.id && !user.moderator) {
    throw refuse.forbidden(`This Style is not owned by user ${user.username}`);
  }
  return style;
}

function urlInUse(url: string): never {
  throw refuse.badRequest(`The url '${url}'is already used for this style.`);
}

/**
 * The first example becomes the primary one. QUIRK(docs/server/directory.md#styles-and-collections): the
 * server fails on `primary: true` when the style has no primary example yet.
 */
export function addExample(
  store: HordeStore,
  styleId: string,
  args: { apikey: string; url: string; primary: boolean },
) {
  requireHttps(args.url);
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey("Style Example POST");
  const style = ownStyle(store, user, styleId);
  if (style.kind === "text") throw refuse.badRequest("Cannot add image examples to text styles.");
  if (style.examples.length >= MAX_EXAMPLES) {
    throw refuse.forbidden("You cannot have more than 4 examples for each style");
  }
  let previous: StyleExample | undefined;
  for (const e of style.examples) {
    if (e.url === args.url) urlInUse(args.url);
    if (e.primary) previous = e;
  }
  if (args.primary) {
    if (!previous) throw err.internal();
    previous.primary = false;
  }
  const example = store.styles.addExample(style, args.url, Boolean(args.primary) || previous === undefined);
  return styleModified(example.id);
}

/** An example by id, and the style it belongs to (which need not be the one in the path). */
function findExample(store: HordeStore, id: string): { style: Style; example: StyleExample } {
  const found = store.styles.findExample(id);
  if (!found) throw refuse.thingNotFound("Style Example", id);
  return found;
}

/** QUIRK: the parser's default url ("popular") is refused as not HTTPS, so `url` is in effect required. */
export function modifyExample(
  store: HordeStore,
  styleId: string,
  exampleId: string,
  args: { apikey: string; url: string; primary: boolean },
) {
  requireHttps(args.url);
  const { example } = findExample(store, exampleId);
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey("Style Example PATCH");
  const style = ownStyle(store, user, styleId);
  let previous: StyleExample | undefined;
  for (const e of style.examples) {
    if (e === example) continue;
    if (e.url === args.url) urlInUse(args.url);
    if (e.primary) previous = e;
  }
  if (!args.primary && !previous) {
    throw refuse.badRequest("You cannot remove the last primary example of this style");
  }
  if (args.primary && previous) previous.primary = false;
  example.primary = Boolean(args.primary);
  example.url = args.url;
  return styleModified(example.id);
}

/** Deleting the primary example makes every other example primary, as on the server. */
export function deleteExample(store: HordeStore, styleId: string, exampleId: string, apikey: string) {
  const found = findExample(store, exampleId);
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("Style Example DELETE");
  const style = ownStyle(store, user, styleId);
  if (found.example.primary) for (const e of style.examples) if (e !== found.example) e.primary = true;
  store.styles.deleteExample(found.style, found.example);
  return { message: "OK" };
}
