/**
 * Finding styles and collections by id or by name (docs/server/directory.md#styles-and-collections).
 * A name may be qualified: `alias#id::style::name`, `alias#id::collection::name`, `style::name`,
 * `collection::name` or `alias#id::name`.
 */
import type { HordeStore } from "../store/store.js";
import type { Collection, Style } from "../store/styles.js";

export type StyleOrCollection =
  | { kind: "style"; style: Style }
  | { kind: "collection"; collection: Collection };

/** By id: a style first, then a collection (`collection: true` looks at collections only). */
export function findById(store: HordeStore, id: string, collection?: boolean): StyleOrCollection | undefined {
  const style = collection === true ? undefined : store.styles.find(id);
  if (style) return { kind: "style", style };
  const found = collection === false ? undefined : store.styles.findCollection(id);
  return found ? { kind: "collection", collection: found } : undefined;
}

/**
 * By name, as the server seeks it: the qualifier may restrict the search to styles or collections and
 * to one user. QUIRK(docs/server/directory.md#styles-and-collections): an unknown user in the qualifier
 * does not restrict the search at all.
 */
export function findByName(
  store: HordeStore,
  qualified: string,
  collection?: boolean,
): StyleOrCollection | undefined {
  const parts = qualified.split("::");
  let name = qualified;
  let ownerId: number | undefined;
  let onlyCollections = collection;
  const kindOf = (word: string) => (word === "collection" ? true : word === "style" ? false : undefined);
  if (parts.length === 3) {
    name = parts[2] as string;
    onlyCollections ??= kindOf(parts[0] as string);
    ownerId = store.users.findByUsername(parts[1] as string)?.id;
  } else if (parts.length === 2) {
    name = parts[1] as string;
    const kind = kindOf(parts[0] as string);
    if (kind === undefined) ownerId = store.users.findByUsername(parts[0] as string)?.id;
    else onlyCollections ??= kind;
  }
  const owned = (o: { name: string; ownerId: number }) =>
    o.name === name && (ownerId === undefined || o.ownerId === ownerId);
  if (onlyCollections !== true) {
    const style = store.styles.all().find(owned);
    if (style) return { kind: "style", style };
  }
  if (onlyCollections !== false) {
    const found = store.styles.allCollections().find(owned);
    if (found) return { kind: "collection", collection: found };
  }
  return undefined;
}
