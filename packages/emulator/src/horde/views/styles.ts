/**
 * Styles and collections as the server marshals them (docs/server/directory.md#styles-and-collections):
 * `StyleStable` / `StyleKobold` (`params` keeps only the fields of the kind's params model; absent values
 * left out), and `ResponseModelCollection` (every key, `info` always null: the server never fills it).
 */
import { schemas } from "horde-sdk";
import type { HordeStore } from "../store/store.js";
import type { Collection, Style } from "../store/styles.js";
import { skipNone } from "./marshal.js";
import { sharedKeyDetails } from "./sharedkeys.js";

const PARAM_FIELDS = {
  image: Object.keys(schemas.ModelStyleInputParamsStable.shape),
  text: Object.keys(schemas.ModelStyleInputParamsKobold.shape),
};
/** The defaults the params model fills in when marshalling (the image model has none). */
const PARAM_DEFAULTS: Record<string, Record<string, unknown>> = {
  image: {},
  text: schemas.swaggerDefaults.ModelStyleInputParamsKobold,
};

export function styleDetails(store: HordeStore, style: Style): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const defaults = PARAM_DEFAULTS[style.kind] ?? {};
  for (const field of PARAM_FIELDS[style.kind])
    params[field] = style.params[field] ?? defaults[field] ?? null;
  const out: Record<string, unknown> = {
    name: style.name,
    info: style.info,
    prompt: style.prompt,
    params: skipNone(params),
    public: style.public,
    nsfw: style.nsfw,
    tags: style.tags,
    models: style.models,
    id: style.id,
    use_count: style.useCount,
    creator: store.users.findById(style.ownerId)?.username ?? null,
  };
  if (style.kind === "image") {
    out.examples = style.examples.map((e) => ({ url: e.url, primary: e.primary, id: e.id }));
    const key = style.sharedKeyId === null ? undefined : store.sharedKeys.find(style.sharedKeyId);
    out.shared_key = key ? sharedKeyDetails(store, key) : null;
  }
  return skipNone(out);
}

/**
 * The answer to a style, example or collection change: its id, "OK", and the warnings (a list; none at
 * all for text styles, whose check returns nothing).
 */
export function styleModified(id: string, warnings: unknown[] | null = []): Record<string, unknown> {
  return warnings === null ? { id, message: "OK" } : { id, message: "OK", warnings };
}

export function collectionDetails(store: HordeStore, c: Collection): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    type: c.kind,
    info: null,
    public: c.public,
    styles: c.styleIds.flatMap((id) => {
      const s = store.styles.find(id);
      return s ? [{ name: uniqueStyleName(store, s), id: s.id }] : [];
    }),
    use_count: c.useCount,
  };
}

/** A style's name qualified with its owner: `alias#id::style::name`. */
export function uniqueStyleName(store: HordeStore, s: Style): string {
  return `${store.users.findById(s.ownerId)?.username}::style::${s.name}`;
}
