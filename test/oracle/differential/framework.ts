/**
 * Differential testing: one scripted HTTP conversation played against the emulator and against the
 * oracle (the real AI Horde server), then compared step by step — status, `rc`, error shape, the key sets
 * and value types of the JSON bodies (recursively), the rate-limit headers, and the values a step names.
 *
 * A scenario is a function of a `Conversation`: it calls routes, reads answers and decides what to call
 * next, so ids and keys flow through it on each side on their own. Only recorded steps are compared;
 * both sides must record the same steps in the same order.
 */
import { randomBytes } from "node:crypto";
import { isolatedIp } from "horde-test-support/oracle";

/** A JSON body read loosely: the comparison is the check. */
// biome-ignore lint/suspicious/noExplicitAny: dynamic JSON under test
export type Json = any;

export interface Answer {
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON (`null` when empty). */
  body: Json;
  text: string;
  headers: Headers;
}

export interface TargetUser {
  apikey: string;
  /** As find_user shows it: `name#id`. */
  username: string;
  id: number;
}

export interface UserOptions {
  kudos?: number;
  trusted?: boolean;
  moderator?: boolean;
}

/** One side of the comparison. */
export interface Target {
  readonly name: "emulator" | "oracle";
  /** `bodyDelayMs`: the body is sent that long after the headers (a slow upload). */
  send(
    method: string,
    path: string,
    init: { headers: Record<string, string>; body?: string; bodyDelayMs?: number },
  ): Promise<Answer>;
  /**
   * Lets `seconds` pass for one image request or one of its jobs, and for nothing else: the oracle moves the
   * row's time back in its database (its cleaner acts within a minute), the emulator advances its clock
   * (the scenario must hold nothing else that ages).
   */
  age(what: "request" | "job", id: string, seconds: number): Promise<void>;
  user(name: string, options?: UserOptions): Promise<TargetUser>;
  /** A URL the horde handed out (R2 uploads and downloads): the emulator's are in-process. */
  fetchUrl(url: string, init?: RequestInit): Promise<Response>;
  /** Wall time on the oracle, virtual time on the emulator. */
  sleep(ms: number): Promise<void>;
  /** The fixed administrator (a moderator in the server's ADMINS). */
  readonly adminKey: string;
  /**
   * A webhook receiver: the https URL to name in requests, and the bodies POSTed to it so far. The oracle's
   * is a real https server on loopback (the oracle trusts its certificate); the emulator's is its webhook fetch.
   */
  webhooks(): Promise<{ url: string; received(): Json[] }>;
  close(): Promise<void>;
}

export interface StepOptions {
  /** Path parameters: `{id}` in the route is replaced (URI-encoded). */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  apikey?: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless `raw` is given. */
  body?: unknown;
  /** Sent verbatim (with `Content-Type: application/json` unless headers say otherwise). */
  raw?: string;
  /**
   * Dotted paths whose values must be equal on both sides (`"done"`, `"generations.0.state"`, `"length"`);
   * strings are compared normalised, like messages (`alice_<tag>#<n>`).
   */
  same?: string[];
  /** Send the body this long after the headers: the server handles the request only once it has arrived. */
  bodyDelayMs?: number;
  /** Compare the normalised `message` (default true for error answers). */
  message?: boolean;
  /** Skip the comparison of these subtrees — their presence, keys and types (legitimately open values). */
  open?: string[];
  /**
   * Compare only these dotted paths (their shapes, and their values when also in `same`): for a step that
   * reads one value of a large view another area owns (a user's `kudos`).
   */
  only?: string[];
}

export interface Step {
  label: string;
  route: string;
  status: number;
  answer: Answer;
  options: StepOptions;
}

/** Submit route → the status route whose DELETE cancels what it created. */
const CANCEL_ROUTES: Record<string, string> = {
  "POST /v2/generate/async": "/v2/generate/status/{id}",
  "POST /v2/generate/text/async": "/v2/generate/text/status/{id}",
  "POST /v2/interrogate/async": "/v2/interrogate/status/{id}",
};

export class Conversation {
  readonly steps: Step[] = [];
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  /** Same on both sides of one scenario run, unique across runs (the oracle's database persists). */
  readonly tag: string;
  readonly ip: string;

  constructor(
    readonly target: Target,
    tag: string,
    ip: string,
  ) {
    this.tag = tag;
    this.ip = ip;
  }

  /** Runs after the scenario, pass or fail, unrecorded: cancel what it left waiting on the shared oracle. */
  onCleanup(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
  }

  /** A unique name shared by both sides: `prefix_<tag>`. */
  name(prefix: string): string {
    return `${prefix}_${this.tag}`;
  }

  user(prefix: string, options?: UserOptions): Promise<TargetUser> {
    return this.target.user(this.name(prefix), options);
  }

  sleep(ms: number): Promise<void> {
    return this.target.sleep(ms);
  }

  fetchUrl(url: string, init?: RequestInit): Promise<Response> {
    return this.target.fetchUrl(url, init);
  }

  /** Records something the horde sent rather than answered (a webhook body) as a compared step. */
  record(label: string, body: Json, options: StepOptions = {}): void {
    const answer = { status: 200, body, text: JSON.stringify(body), headers: new Headers() };
    this.steps.push({ label, route: "WEBHOOK", status: 200, answer, options });
  }

  /** Sends without recording (set-up and polling). */
  async send(route: string, options: StepOptions = {}): Promise<Answer> {
    const [method, template] = splitRoute(route);
    let path = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = options.params?.[key];
      if (value === undefined) throw new Error(`route ${route} needs param ${key}`);
      return encodeURIComponent(value);
    });
    if (options.query) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) search.set(k, String(v));
      path += `?${search}`;
    }
    const headers: Record<string, string> = { "X-Forwarded-For": this.ip, ...(options.headers ?? {}) };
    if (options.apikey !== undefined) headers.apikey = options.apikey;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      body = options.raw ?? JSON.stringify(options.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["Content-Type"] = "application/json";
      }
    }
    const answer = await this.target.send(method, path, {
      headers,
      body,
      ...(options.bodyDelayMs ? { bodyDelayMs: options.bodyDelayMs } : {}),
    });
    this.cancelAfterwards(route, answer);
    return answer;
  }

  /**
   * Every request a scenario creates is cancelled after it: on the shared oracle a request left waiting would
   * be popped by the next scenario's worker, or make its requests "possible" where the emulator's are not.
   */
  private cancelAfterwards(route: string, answer: Answer): void {
    const status = CANCEL_ROUTES[route];
    const id = (answer.body as { id?: unknown } | null)?.id;
    if (status === undefined || answer.status !== 202 || typeof id !== "string") return;
    this.onCleanup(async () => {
      // The cancel route is rate-limited per client IP, and a scenario may create dozens of requests: each
      // cancel comes from an address of its own, and a 429 is asked again.
      const headers = { "X-Forwarded-For": isolatedIp() };
      for (let attempt = 0; attempt < 5; attempt++) {
        const answer = await this.send(`DELETE ${status}`, { params: { id }, headers });
        if (answer.status !== 429) return;
        await this.sleep(1000);
      }
    });
  }

  /** Sends and records a compared step. */
  async step(label: string, route: string, options: StepOptions = {}): Promise<Answer> {
    const answer = await this.send(route, options);
    this.steps.push({ label, route, status: answer.status, answer, options });
    return answer;
  }

  /**
   * Repeats a request (unrecorded) until `done(answer)` or the time is up, then records the last answer.
   * The oracle does some work after it answers (kudos ledgers, worker caches), so the scenario waits for
   * the state it means to compare.
   */
  async poll(
    label: string,
    route: string,
    options: StepOptions,
    done: (answer: Answer) => boolean,
    { timeoutMs = 15_000, everyMs = 250 } = {},
  ): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    let answer = await this.send(route, options);
    while (!done(answer) && Date.now() < deadline) {
      await this.sleep(everyMs);
      answer = await this.send(route, options);
    }
    this.steps.push({ label, route, status: answer.status, answer, options });
    return answer;
  }
}

export function splitRoute(route: string): [string, string] {
  const space = route.indexOf(" ");
  return [route.slice(0, space), route.slice(space + 1)];
}

export interface Scenario {
  name: string;
  /** What §10 lifecycle or route group it covers, for FIDELITY.md. */
  area: string;
  run(conversation: Conversation): Promise<void>;
}

export function scenario(area: string, name: string, run: (c: Conversation) => Promise<void>): Scenario {
  return { area, name, run };
}

export function newTag(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

// ---------------------------------------------------------------------------------------------- compare

export type Verdict = "agree" | "deviate" | "differ";

export interface StepComparison {
  scenario: string;
  area: string;
  index: number;
  label: string;
  route: string;
  status: { emulator: number; oracle: number };
  diffs: string[];
  /** The start of each side's body, to read a difference without running it again. */
  bodies?: { emulator: string; oracle: string };
  /** The deviations that explain the diffs (by reason). */
  explained: { diff: string; reason: string; id: string }[];
  unexplained: string[];
  verdict: Verdict;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Messages carry ids, user numbers and our unique tags; everything else must match. */
export function normaliseMessage(message: string): string {
  return message
    .replace(UUID, "<uuid>")
    .replace(/#\d+/g, "#<n>")
    .replace(/_[0-9a-z]{8,}[0-9a-f]{6}\b/g, "_<tag>")
    .trim();
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function get(value: Json, path: string): unknown {
  let cur = value;
  for (const part of path.split(".")) {
    if (cur === null || cur === undefined) return undefined;
    cur = part === "length" && Array.isArray(cur) ? cur.length : cur[part];
  }
  return cur;
}

/** Key sets and value types, recursively. Arrays: the union of their elements' shapes. */
export function shapeDiffs(
  emulator: Json,
  oracle: Json,
  path: string,
  open: Set<string>,
  out: string[],
): void {
  if (open.has(path)) return;
  const ke = kindOf(emulator);
  const ko = kindOf(oracle);
  const at = path || "(body)";
  if (ke !== ko) {
    out.push(`${at}: type ${ke} vs ${ko}`);
    return;
  }
  if (ke === "array") {
    const e = emulator as unknown[];
    const o = oracle as unknown[];
    if (e.length === 0 || o.length === 0) return;
    shapeDiffs(mergeElements(e), mergeElements(o), `${path}[]`, open, out);
    return;
  }
  if (ke !== "object") return;
  const keysE = new Set(Object.keys(emulator));
  const keysO = new Set(Object.keys(oracle));
  for (const k of keysO) {
    if (!keysE.has(k) && !open.has(join(path, k))) out.push(`${join(path, k)}: missing in the emulator`);
  }
  for (const k of keysE) {
    if (!keysO.has(k) && !open.has(join(path, k))) out.push(`${join(path, k)}: only in the emulator`);
  }
  for (const k of keysE) if (keysO.has(k)) shapeDiffs(emulator[k], oracle[k], join(path, k), open, out);
}

/** JSON with every object's keys sorted. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** One representative of an array's elements: objects merged key by key (the first non-null value wins). */
function mergeElements(items: unknown[]): unknown {
  const objects = items.filter((i) => kindOf(i) === "object") as Record<string, unknown>[];
  if (objects.length !== items.length) return items.find((i) => i !== null) ?? items[0];
  const merged: Record<string, unknown> = {};
  for (const item of objects) {
    for (const [k, v] of Object.entries(item))
      if (merged[k] === undefined || merged[k] === null) merged[k] = v;
  }
  return merged;
}

function contentKind(headers: Headers): string {
  const type = headers.get("content-type") ?? "";
  if (type.includes("json")) return "json";
  if (type.includes("html")) return "html";
  if (type === "") return "none";
  return type.split(";")[0] ?? type;
}

const LIMIT_HEADERS = ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"];

export function compareSteps(emulator: Step, oracle: Step): string[] {
  const diffs: string[] = [];
  if (emulator.label !== oracle.label || emulator.route !== oracle.route) {
    return [`step mismatch: ${emulator.label} vs ${oracle.label}`];
  }
  const e = emulator.answer;
  const o = oracle.answer;
  if (e.status !== o.status) diffs.push(`status ${e.status} vs ${o.status}`);
  const ce = contentKind(e.headers);
  const co = contentKind(o.headers);
  if (ce !== co) diffs.push(`content-type ${ce} vs ${co}`);
  for (const h of LIMIT_HEADERS) {
    const he = e.headers.get(h);
    const ho = o.headers.get(h);
    if ((he === null) !== (ho === null))
      diffs.push(`header ${h}: ${he === null ? "missing in the emulator" : "only in the emulator"}`);
    else if (h === "x-ratelimit-limit" && he !== ho) diffs.push(`header ${h}: ${he} vs ${ho}`);
  }
  const jsonBoth =
    typeof e.body === "object" && typeof o.body === "object" && e.body !== null && o.body !== null;
  if (jsonBoth) {
    if (e.body.rc !== o.body.rc) diffs.push(`rc ${e.body.rc} vs ${o.body.rc}`);
    const isError = o.status >= 400;
    const compareMessage = emulator.options.message ?? isError;
    if (compareMessage && typeof o.body.message === "string") {
      const me =
        typeof e.body.message === "string" ? normaliseMessage(e.body.message) : String(e.body.message);
      const mo = normaliseMessage(o.body.message);
      if (me !== mo) diffs.push(`message ${JSON.stringify(me)} vs ${JSON.stringify(mo)}`);
    }
    const only = emulator.options.only;
    const pick = (body: Json) => (only ? Object.fromEntries(only.map((p) => [p, get(body, p)])) : body);
    shapeDiffs(pick(e.body), pick(o.body), "", new Set(emulator.options.open ?? []), diffs);
  } else if (ce === "json" || co === "json") {
    if (kindOf(e.body) !== kindOf(o.body)) diffs.push(`body ${kindOf(e.body)} vs ${kindOf(o.body)}`);
    else if (typeof o.body === "string" && emulator.options.message !== false && e.body !== o.body) {
      diffs.push(`body ${JSON.stringify(e.body)} vs ${JSON.stringify(o.body)}`);
    }
  }
  for (const path of emulator.options.same ?? []) {
    const ve = get(e.body, path);
    const vo = get(o.body, path);
    // Strings are compared as messages are: ids, user numbers and tags differ between the sides. Objects
    // are compared whatever the order of their keys.
    const same = (a: unknown, b: unknown) =>
      typeof a === "string" && typeof b === "string"
        ? normaliseMessage(a) === normaliseMessage(b)
        : canonical(a) === canonical(b);
    if (!same(ve, vo)) {
      diffs.push(`value ${path}: ${JSON.stringify(ve)} vs ${JSON.stringify(vo)}`);
    }
  }
  return diffs;
}
