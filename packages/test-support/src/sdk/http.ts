// Fetches for SDK tests: scripted answers, routes, and a record of every request sent.

/** One request as the fetch saw it. */
export interface Call {
  method: string;
  url: string;
  /** The path under `/api` (e.g. `/v2/generate/check/abc`). */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body: parsed JSON when it was a JSON string, else as sent. */
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies under test
  body: any;
}

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** What a fetch call was, as a Call. */
export function callOf(input: string | URL | Request, init?: RequestInit): Call {
  const url = new URL(String(input instanceof Request ? input.url : input));
  let body: unknown = init?.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: kept as the string
    }
  }
  return {
    method: init?.method ?? "GET",
    url: url.toString(),
    path: url.pathname.replace(/^\/api(?=\/)/, ""),
    headers: Object.fromEntries(new Headers(init?.headers).entries()),
    body,
  };
}

/** A fetch that answers `answer(call)` and records every call. */
export function recordingFetch(answer: (call: Call) => Response | Promise<Response>): {
  fetch: FetchFn;
  calls: Call[];
} {
  const calls: Call[] = [];
  const fetch: FetchFn = async (input, init) => {
    const call = callOf(input, init);
    calls.push(call);
    return answer(call);
  };
  return { fetch, calls };
}

/**
 * A fetch that answers from a script, in order (the last answer repeats): a Response (cloned), an Error
 * (thrown, as fetch throws on a network failure) or a function of the call.
 */
export function scriptedFetch(...answers: (Response | Error | ((call: Call) => Response))[]) {
  return recordingFetch((call) => {
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next === undefined) throw new Error("script exhausted");
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next(call) : next.clone();
  });
}

/**
 * A fetch that answers by route: keys are `METHOD /path` (the path under /api; a last segment `*` matches
 * any) or a URL prefix (`http://host/…`). Anything else is a 404 `RequestNotFound`.
 */
export function routedFetch(routes: Record<string, (call: Call) => Response | Promise<Response>>) {
  return recordingFetch((call) => {
    const route =
      routes[`${call.method} ${call.path}`] ??
      routes[`${call.method} ${call.path.replace(/[^/]+$/, "*")}`] ??
      Object.entries(routes).find(([key]) => /^https?:\/\//.test(key) && call.url.startsWith(key))?.[1];
    return route ? route(call) : json(404, { message: "not found", rc: "RequestNotFound" });
  });
}
