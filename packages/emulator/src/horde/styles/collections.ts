/**
 * Style collections (docs/server/directory.md#styles-and-collections): `/v2/collections` (GET, POST),
 * `/v2/collections/{id}` (GET, PATCH, DELETE), `/v2/collection_by_name/{name}`.
 *
 * QUIRK: the server learns a collection's kind only from the styles it finds by name (a style given by id
 * is taken without looking at its kind); a collection whose kind it did not learn cannot be stored (it
 * fails), and a PATCH whose styles did not teach it the collection's kind is refused as mixing kinds.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { sanitize } from "../sanitize.js";
import type { HordeStore } from "../store/store.js";
import type { Collection, Style, StyleKind } from "../store/styles.js";
import { collectionDetails, styleDetails, styleModified } from "../views/styles.js";
import { findById, findByName } from "./find.js";

const PAGE_SIZE = 25;

export interface CollectionArgs {
  apikey: string;
  name: string | null;
  info: string | null;
  public: boolean | null;
  styles: string[] | null;
}

/** Public collections, 25 from `page` (moved by one collection, like the styles' list). */
export function listCollections(store: HordeStore, q: { sort: string; page: number; type: string }) {
  if (q.sort !== "popular" && q.sort !== "age") {
    throw refuse.badRequest("'model_state' needs to be one of ['popular', 'age']");
  }
  if (!["all", "image", "text"].includes(q.type)) {
    throw refuse.badRequest("'type' needs to be one of ['all', 'image', 'text']");
  }
  const from = Math.max(q.page - 1, 0);
  return store.styles
    .allCollections()
    .filter((c) => c.public && (q.type === "all" || c.kind === q.type))
    .sort((a, b) => (q.sort === "age" ? a.createdAt - b.createdAt : b.useCount - a.useCount))
    .slice(from, from + PAGE_SIZE)
    .map((c) => collectionDetails(store, c));
}

function findCollection(store: HordeStore, id: string): Collection {
  const found = findById(store, id, true);
  if (found?.kind !== "collection") throw refuse.thingNotFound("Collection", id);
  return found.collection;
}

export function getCollection(store: HordeStore, id: string) {
  return collectionDetails(store, findCollection(store, id));
}

/** QUIRK: the lookup by name finds styles too, and shows them in the collection's shape. */
export function getCollectionByName(store: HordeStore, name: string) {
  const found = findByName(store, name);
  if (!found) throw refuse.thingNotFound("Collection", name);
  if (found.kind === "collection") return collectionDetails(store, found.collection);
  const style = styleDetails(store, found.style);
  return {
    id: style.id,
    name: style.name,
    type: null,
    info: style.info ?? null,
    public: style.public,
    styles: null,
    use_count: style.use_count,
  };
}

/** The styles a collection names, and the kind learnt from those found by name. */
function stylesOf(store: HordeStore, refs: string[]): { styles: Style[]; kind?: StyleKind } {
  const styles: Style[] = [];
  let kind: StyleKind | undefined;
  for (const ref of refs) {
    const byId = findById(store, ref, false);
    if (byId?.kind === "style") {
      styles.push(byId.style);
      continue;
    }
    const byName = findByName(store, ref, false);
    if (byName?.kind !== "style") throw refuse.badRequest(`A style with name '${ref}' cannot be found`);
    if (kind === undefined) kind = byName.style.kind;
    else if (kind !== byName.style.kind) {
      throw refuse.badRequest("Cannot mix image and text styles in the same collection");
    }
    styles.push(byName.style);
  }
  return { styles, kind };
}

export function createCollection(store: HordeStore, args: CollectionArgs) {
  if (!args.styles || args.styles.length < 1) {
    throw refuse.badRequest("A collection has to include at least 1 style");
  }
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey("Collection POST");
  if (user.deleted) throw refuse.deletedUser();
  if (user.anonymous) {
    throw refuse.forbidden("Anonymous users cannot create collections", "StylesAnonForbidden");
  }
  const { styles, kind } = stylesOf(store, args.styles);
  const name = sanitize(args.name ?? "");
  // A kind not learnt, or a name the user already has, fails in the server's database.
  const taken = store.styles.allCollections().some((c) => c.ownerId === user.id && c.name === name);
  if (kind === undefined || taken) throw err.internal();
  const collection = store.styles.createCollection(
    {
      kind,
      ownerId: user.id,
      name,
      info: args.info === null ? "" : sanitize(args.info),
      public: args.public ?? true,
      styleIds: styles.map((s) => s.id),
    },
    store.now(),
  );
  return styleModified(collection.id);
}

export function modifyCollection(store: HordeStore, id: string, args: CollectionArgs) {
  const picked = args.styles && args.styles.length > 0 ? stylesOf(store, args.styles) : null;
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey("Collection PATCH");
  const collection = findCollection(store, id);
  if (collection.ownerId !== user.id) {
    throw refuse.forbidden(`This Collection is not owned by user ${user.username}`);
  }
  if (collection.kind !== picked?.kind) {
    throw refuse.badRequest("Cannot mix image and text styles in the same collection");
  }
  if (args.name) collection.name = sanitize(args.name);
  if (args.info !== null) collection.info = sanitize(args.info);
  if (args.public !== null) collection.public = args.public;
  collection.styleIds = picked.styles.map((s) => s.id);
  return styleModified(collection.id);
}

export function deleteCollection(store: HordeStore, id: string, apikey: string) {
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("Collection PATCH");
  const collection = findCollection(store, id);
  if (collection.ownerId !== user.id && !user.moderator) {
    throw refuse.forbidden(`This Collection is not owned by user ${user.username}`);
  }
  store.styles.deleteCollection(collection);
  return { message: "OK" };
}
