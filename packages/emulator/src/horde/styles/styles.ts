/**
 * Image and text styles (docs/server/directory.md#styles-and-collections): `/v2/styles/{image,text}` (GET,
 * POST), `/v2/styles/{image,text}/{id}` (GET, PATCH, DELETE) and `…_by_name/{name}`, in the server's order
 * of checks. Trusted users and customizers create styles; their owners (and moderators, for deletion)
 * change them.
 */
import { err } from "../errors.js";
import { imageWarnings } from "../image/warnings.js";
import { refuse } from "../refusals.js";
import { sanitize } from "../sanitize.js";
import { sharedKeyProblem } from "../store/sharedkeys.js";
import type { HordeStore } from "../store/store.js";
import type { Style, StyleKind } from "../store/styles.js";
import type { User } from "../store/users.js";
import { styleDetails, styleModified } from "../views/styles.js";
import { findById, findByName } from "./find.js";

const PAGE_SIZE = 25;
const MAX_MODELS = 5;
const MAX_TAGS = 10;
/** What the parser fills in for a style without a prompt. */
const DEFAULT_STYLE_PROMPT = "{p}{np}";

/** The style parser's arguments (null: not given). */
export interface StyleArgs {
  apikey: string;
  name: string;
  info: string | null;
  prompt: string | null;
  params: Record<string, unknown> | null;
  public: boolean;
  nsfw: boolean;
  tags: string[] | null;
  models: string[] | null;
  sharedkey: string | null;
}

/**
 * Public styles of a kind, 25 from `page`: `popular` (most used first, the default) or `age`, optionally
 * by tag or model. QUIRK(docs/server/directory.md#styles-and-collections): `page` moves the window by one
 * style, not by 25.
 */
export function listStyles(
  store: HordeStore,
  kind: StyleKind,
  q: { sort: string; page: number; tag: string | null; model: string | null },
) {
  if (q.sort !== "popular" && q.sort !== "age") {
    throw refuse.badRequest("'model_state' needs to be one of ['popular', 'age']");
  }
  const from = Math.max(q.page - 1, 0);
  return store.styles
    .all()
    .filter(
      (s) =>
        s.kind === kind &&
        s.public &&
        (q.tag === null || s.tags.includes(q.tag)) &&
        (q.model === null || s.models.includes(q.model)),
    )
    .sort((a, b) => (q.sort === "age" ? a.createdAt - b.createdAt : b.useCount - a.useCount))
    .slice(from, from + PAGE_SIZE)
    .map((s) => styleDetails(store, s));
}

function ofKind(style: Style, kind: StyleKind): Style {
  if (style.kind !== kind) {
    throw refuse.badRequest(`Style was found but was of the wrong type: ${style.kind} != ${kind}`);
  }
  return style;
}

export function getStyle(store: HordeStore, kind: StyleKind, id: string) {
  const found = findById(store, id, false);
  if (found?.kind !== "style") throw refuse.thingNotFound(`${kind} Style`, id);
  return styleDetails(store, ofKind(found.style, kind));
}

export function getStyleByName(store: HordeStore, kind: StyleKind, name: string) {
  const found = findByName(store, name, false);
  if (found?.kind !== "style") throw refuse.thingNotFound("Style", name);
  return styleDetails(store, ofKind(found.style, kind));
}

/** A style by id for a change: styles only, whatever their kind. */
export function findStyle(store: HordeStore, id: string): Style {
  const found = findById(store, id, false);
  if (found?.kind !== "style") throw refuse.thingNotFound("Style", id);
  return found.style;
}

function checkModels(models: string[]): void {
  if (models.length > MAX_MODELS) throw refuse.badRequest("A style can only use a maximum of 5 models.");
  if (models.length < 1) throw refuse.badRequest("A style has to specify at least one model.");
}

function checkTags(tags: string[] | null): void {
  if (tags && tags.length > MAX_TAGS) throw refuse.badRequest("A style can be tagged a maximum of 10 times.");
}

/**
 * The prompt must have the places for the request's prompt: `{p}`, and `{np}` for image styles. Image
 * params are checked when a request uses the style; here they only give the model reference's warnings.
 */
function checkPrompt(kind: StyleKind, prompt: string): void {
  const missing = (what: string, mark: string) =>
    refuse.badRequest(
      `A style prompt must include a dedicated spot where the user's ${what} prompt will be added, signified with '${mark}'`,
    );
  if (!prompt.includes("{p}")) throw missing("positive", "{p}");
  if (kind === "image" && !prompt.includes("{np}")) throw missing("negative", "{np}");
}

function textParamsProblem(params: Record<string, unknown>): void {
  const maxLength = typeof params.max_length === "number" ? params.max_length : 80;
  const context = typeof params.max_context_length === "number" ? params.max_context_length : 2048;
  if (context < maxLength) {
    throw refuse.badRequest("You cannot request more tokens than your context length.", "TokenOverflow");
  }
}

function warningsFor(kind: StyleKind, models: string[], params: Record<string, unknown>): unknown[] | null {
  if (kind === "text") {
    textParamsProblem(params);
    return null;
  }
  return imageWarnings(models, params);
}

/** A shared key named for a style must exist and be usable. */
function styleSharedKey(store: HordeStore, id: string | null): string | null {
  if (id === null || id === "") return null;
  const key = store.sharedKeys.find(id);
  if (!key) throw refuse.badRequest("This shared key does not exist");
  const problem = sharedKeyProblem(key, store.now());
  if (problem) throw refuse.badRequest(problem.message);
  return key.id;
}

function nameTaken(store: HordeStore, user: User, name: string): boolean {
  return findByName(store, `${user.username}::style::${name}`, false) !== undefined;
}

export function createStyle(store: HordeStore, kind: StyleKind, args: StyleArgs) {
  if (args.models === null) throw refuse.badRequest("A style has to specify at least one model.");
  checkModels(args.models);
  checkTags(args.tags);
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey(`${kind === "image" ? "Image" : "Text"}Style POST`);
  if (!user.customizer && !user.trusted) {
    throw refuse.forbidden(
      "Only customizers and trusted users can create new styles. You can request the customizer role in our channels.",
      "StylesRequiresCustomizer",
    );
  }
  if (user.anonymous) throw refuse.forbidden("Anonymous users cannot create styles", "StylesAnonForbidden");
  const name = sanitize(args.name);
  const sharedKeyId = styleSharedKey(store, args.sharedkey);
  if (user.deleted) throw refuse.deletedUser();
  if (nameTaken(store, user, name)) {
    throw refuse.badRequest(
      `Style with name '${name}' already exists for user '${user.username}'. Please use PATCH to modify an existing style.`,
    );
  }
  const prompt = args.prompt ?? DEFAULT_STYLE_PROMPT;
  const params = args.params ?? {};
  const warnings = warningsFor(kind, args.models, params);
  checkPrompt(kind, prompt);
  const style = store.styles.create(
    {
      kind,
      ownerId: user.id,
      name,
      info: args.info === null ? "" : sanitize(args.info),
      prompt,
      params,
      models: unique(args.models.map((m) => sanitize(m.slice(0, 100))).slice(0, MAX_MODELS)),
      tags: unique(args.tags ?? []).map((t) => sanitize(t.slice(0, 100))),
      public: args.public,
      nsfw: args.nsfw,
      sharedKeyId,
    },
    store.now(),
  );
  return styleModified(style.id, warnings);
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/**
 * `PATCH` (docs/server/directory.md#styles-and-collections). QUIRK: the server parses a PATCH with the
 * creation parser, so `name` is required and the absent `prompt`, `public` and `nsfw` are reset to their
 * defaults, absent tags are cleared; the image route refuses every `sharedkey` (it checks a variable it
 * never set).
 */
export function modifyStyle(store: HordeStore, kind: StyleKind, id: string, args: StyleArgs) {
  checkTags(args.tags);
  const user = store.users.findByKey(args.apikey);
  if (!user) throw err.invalidApiKey("Style PATCH");
  const style = findStyle(store, id);
  if (style.ownerId !== user.id) throw refuse.forbidden(`This Style is not owned by user ${user.username}`);
  const models = args.models && args.models.length > 0 ? args.models : style.models;
  if (args.models && args.models.length > 0) checkModels(models);
  const name = args.name ? sanitize(args.name) : style.name;
  if (kind === "image" && args.sharedkey) {
    throw refuse.badRequest("This shared key does not exist");
  }
  if (nameTaken(store, user, name) && style.name !== name) {
    throw refuse.badRequest(
      `Style with name '${name}' already exists for user '${user.username}'. Please use a different name if you want to rename.`,
    );
  }
  const prompt = args.prompt ?? style.prompt;
  const params = args.params ?? style.params;
  const warnings = warningsFor(kind, models, params);
  checkPrompt(kind, prompt);
  // QUIRK(docs/server/directory.md#styles-and-collections): the text route never sets the shared key it
  // then reads, so every valid text PATCH fails and changes nothing.
  if (kind === "text") throw err.internal();
  style.name = name;
  if (args.info !== null) style.info = sanitize(args.info);
  style.public = args.public;
  style.nsfw = args.nsfw;
  style.prompt = prompt;
  style.params = params;
  style.models = unique(models.map((m) => sanitize(m.slice(0, 100))).slice(0, MAX_MODELS));
  style.tags = unique(args.tags ?? []).map((t) => sanitize(t.slice(0, 100)));
  return styleModified(style.id, warnings);
}

/** The owner or a moderator deletes a style (of either kind, whichever route). */
export function deleteStyle(store: HordeStore, id: string, apikey: string) {
  const user = store.users.findByKey(apikey);
  if (!user) throw err.invalidApiKey("Style DELETE");
  if (user.anonymous) throw refuse.forbidden("Anonymous users cannot delete styles", "StylesAnonForbidden");
  const style = findStyle(store, id);
  if (style.ownerId !== user.id && !user.moderator) {
    throw refuse.forbidden(`This Style is not owned by user ${user.username}`);
  }
  store.styles.delete(style);
  return { message: "OK" };
}
