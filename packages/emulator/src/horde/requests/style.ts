/**
 * A generate request that names a `style` (docs/server/directory.md#styles-and-collections): the style's
 * prompt template, models and params replace the request's, its shared key (when usable) pays, and its
 * owner earns 2 kudos. The server does this before it even looks at the requester's key.
 */
import { err } from "../errors.js";
import { refuse } from "../refusals.js";
import { type SharedKey, sharedKeyProblem } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { Style, StyleKind } from "../store/styles.js";
import { findById, findByName } from "../styles/find.js";

/** What a style owner earns each time a request uses the style. */
export const STYLE_REWARD = 2;

export interface AppliedStyle {
  style: Style;
  /** The style's shared key, when it can pay (not empty, not expired). */
  sharedKey: SharedKey | null;
}

/**
 * Finds the style a request names (by id, else by name) and books its use. QUIRK: the server rewards the
 * owner before it knows who asks, so it rewards owners for their own requests too; and it fails on a
 * collection (which has no shared key to look at).
 */
export function resolveStyle(store: HordeStore, ref: string, kind: StyleKind): AppliedStyle {
  const found = findById(store, ref) ?? findByName(store, ref);
  if (!found) throw refuse.thingNotFound("Style", ref);
  if (found.kind === "collection") throw err.internal();
  const { style } = found;
  const key = style.sharedKeyId === null ? undefined : store.sharedKeys.find(style.sharedKeyId);
  const sharedKey = key && sharedKeyProblem(key, store.now()) === null ? key : null;
  if (style.kind !== kind) {
    throw refuse.badRequest(
      kind === "image"
        ? "Text styles cannot be used on image requests"
        : // QUIRK: the server's text wording names image requests too.
          "Image styles cannot be used on image requests",
    );
  }
  style.useCount += 1;
  const owner = store.users.findById(style.ownerId);
  if (owner) {
    owner.records.style[kind] += 1;
    store.users.modifyKudos(owner, STYLE_REWARD, "styled");
  }
  return { style, sharedKey };
}

/**
 * An image style's prompt: `{p}` gets the request's prompt, `{np}` its negative part (after `###`); any
 * other braces stay as they are. A negative part is kept after `###` when the style has no `###` of its own.
 */
export function imageStylePrompt(template: string, prompt: string): string {
  const cut = prompt.indexOf("###");
  const positive = cut === -1 ? prompt : prompt.slice(0, cut);
  let negative = cut === -1 ? "" : prompt.slice(cut + 3);
  if (!template.includes("###") && negative !== "" && !negative.includes("###")) negative = `###${negative}`;
  return template.replace(/\{(n?p)\}/g, (_, key: string) => (key === "p" ? positive : negative));
}

/**
 * A text style's prompt, filled the way Python's `format_map` fills it: `{p}` is the prompt, any other
 * `{name}` is empty, `{{` and `}}` are literal braces. A template Python cannot format makes the server
 * fail.
 */
export function textStylePrompt(template: string, prompt: string): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if ((ch === "{" || ch === "}") && template[i + 1] === ch) {
      out += ch;
      i++;
    } else if (ch === "{") {
      const end = template.indexOf("}", i);
      const field = end === -1 ? "" : template.slice(i + 1, end);
      if (!/^\w+$/.test(field)) throw err.internal();
      out += field === "p" ? prompt : "";
      i = end;
    } else if (ch === "}") {
      throw err.internal();
    } else {
      out += ch;
    }
  }
  return out;
}
