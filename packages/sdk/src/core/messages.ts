// The two kinds of API message (horde_sdk's HordeRequest and HordeResponse): a request describes itself
// (method, path, which fields go to headers, path and query), a response names what follows it (the poll,
// the cleanup, the final fetch). One module, because each names the other.
import { DEFAULT_BASE_URL } from "./constants.js";
import { HordeError, HordeValidationError } from "./errors.js";
import { HordeAPIObject } from "./model.js";

/** The HTTP methods the AI Horde API uses; a request class names its own with `getHttpMethod()`. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Request fields that travel as headers, with their wire header names (the server reads `Client-Agent`, with a hyphen). */
export const HEADER_WIRE_NAMES: Readonly<Record<string, string>> = {
  apikey: "apikey",
  client_agent: "Client-Agent",
  accept: "Accept",
  x_fields: "X-Fields",
  idempotency_key: "Idempotency-Key",
};

/** A response class, as the request metadata names it. */
export type ResponseClass = (new (input: never) => HordeResponse) & Omit<typeof HordeResponse, "prototype">;
/** A request class. */
export type RequestClass = (new (input: never) => HordeRequest) & Omit<typeof HordeRequest, "prototype">;

/** A request class's wire identity. Responses are thunks so classes may refer to each other in any order. */
export interface EndpointSpec {
  method: HttpMethod;
  path: string;
  response: () => ResponseClass;
  responses?: () => Record<number, ResponseClass>;
}

/** Declare a request class's endpoint: `static override readonly endpoint = endpoint("GET", "/v2/…/{id}", () => X)`. */
export function endpoint(
  method: HttpMethod,
  path: string,
  response: () => ResponseClass,
  responses?: () => Record<number, ResponseClass>,
): EndpointSpec {
  return responses ? { method, path, response, responses } : { method, path, response };
}

/** What the transport sends: built from a request without any client state. */
export interface HttpRequestSpec {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Per-call options of everything that sends a request (`submitRequest`, the read shortcuts, sessions). */
export interface SubmitOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout for this call. */
  timeoutMs?: number;
  /** `false`: ask the server, bypassing the client's read cache (`readCache` option) for this call. */
  cache?: boolean;
}

/**
 * Base of every request (mirrors horde_sdk's HordeRequest): the request describes itself — method, path,
 * which fields are headers, path or query parameters — and everything else is the JSON body.
 */
export abstract class HordeRequest<R extends HordeResponse = HordeResponse> extends HordeAPIObject {
  /** Type-only: the response this request resolves to (lets `submitRequest` return the right class). */
  declare readonly "~response"?: R;
  /**
   * The `Accept` header (seed: `accept`). An instance field on every request; unset (`undefined`) unless
   * given, and then filled from the client when sent (`application/json`).
   */
  declare readonly accept?: string;
  /**
   * The `Client-Agent` header (seed: `client_agent`), `name:version:contact`. An instance field on every
   * request; unset unless given, and then filled from the client when sent (its `clientAgent`).
   */
  declare readonly client_agent?: string;

  /** Where and how this request is sent; subclasses declare it with `endpoint(...)`. */
  static readonly endpoint: EndpointSpec | undefined = undefined;

  /** The HTTP method of this request, from its `endpoint`. */
  static getHttpMethod(): HttpMethod {
    return specOf(this).method;
  }

  /** The path under the base URL, with `{field}` placeholders, e.g. `/v2/generate/status/{id}`. */
  static getApiEndpointSubpath(): string {
    return specOf(this).path;
  }

  /** The response class for a normal success. */
  static getDefaultSuccessResponseType(): ResponseClass {
    return specOf(this).response();
  }

  /** HTTP success status → the response class it carries (default: 200 → the default response type). */
  static getSuccessStatusResponsePairs(): Record<number, ResponseClass> {
    return specOf(this).responses?.() ?? { 200: this.getDefaultSuccessResponseType() };
  }

  /**
   * True when sending this request twice does no more than sending it once, so the client may repeat it
   * after a failure that leaves in doubt whether the server ran it. By method: GET, PUT and DELETE are,
   * POST and PATCH are not. A POST the server deduplicates itself may say so (the worker submits:
   * a repeat is answered `DuplicateGen`).
   */
  static isIdempotent(): boolean {
    const method = this.getHttpMethod();
    return method === "GET" || method === "PUT" || method === "DELETE";
  }

  /** The base URL used when the client gives none: the public AI Horde API ({@link DEFAULT_BASE_URL}). */
  static getApiUrl(): string {
    return DEFAULT_BASE_URL;
  }

  /** The endpoint URL with its `{placeholders}` left in, e.g. `https://aihorde.net/api/v2/generate/status/{id}`. */
  static getApiEndpointUrl(baseUrl: string = this.getApiUrl()): string {
    return `${baseUrl.replace(/\/+$/, "")}${this.getApiEndpointSubpath()}`;
  }

  /** Field names sent as headers (in addition to none: the generic ones are listed here too). */
  static getHeaderFields(): string[] {
    return ["accept", "client_agent"];
  }

  /** Field names sent as query parameters. */
  static getQueryFields(): string[] {
    return [];
  }

  /** Field names substituted into the path, read from the subpath's `{placeholders}`. */
  static getPathFields(): string[] {
    return [...this.getApiEndpointSubpath().matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  }

  /** How many results this request produces (image async: `params.n`). */
  getNumberOfResultsExpected(): number {
    return 1;
  }

  /** True when a success leaves something running on the server that must be followed up (polled or cancelled). */
  getRequiresFollowUp(): boolean {
    return false;
  }

  /** The endpoint URL with path fields filled in (URI-encoded, so an id can never escape its path segment). */
  endpointUrl(baseUrl: string = (this.constructor as typeof HordeRequest).getApiUrl()): string {
    const ctor = this.constructor as typeof HordeRequest;
    const { path, queryFields } = wireShapeOf(ctor);
    const data = this as unknown as Record<string, unknown>;
    let url = (baseUrl.endsWith("/") ? baseUrl.replace(/\/+$/, "") : baseUrl) + path[0];
    for (let i = 1; i < path.length; i += 2) {
      const name = path[i] as string;
      const value = data[name];
      if (value === undefined || value === null || value === "") {
        throw new HordeValidationError(ctor.name, [{ path: name, message: "path field is missing" }]);
      }
      // encodeURIComponent keeps "." and "..", and URL parsing resolves them as dot segments: an id of ".."
      // would turn DELETE /v2/generate/status/{id} into DELETE /v2/generate/. No id of the API is one.
      if (value === "." || value === "..") {
        throw new HordeValidationError(ctor.name, [{ path: name, message: "must not be '.' or '..'" }]);
      }
      url += encodeURIComponent(String(value)) + path[i + 1];
    }
    if (queryFields.length === 0) return url;
    const query = new URLSearchParams();
    for (const field of queryFields) {
      const value = data[field];
      if (value !== undefined && value !== null) query.set(field, String(value));
    }
    const qs = query.toString();
    return qs ? `${url}?${qs}` : url;
  }

  /** The JSON body: every field that is not a header, path or query field; `undefined` when there is none. */
  body(): Record<string, unknown> | undefined {
    const { method } = wireShapeOf(this.constructor as typeof HordeRequest);
    if (method === "GET" || method === "DELETE") return undefined;
    return this.bodyFields();
  }

  /** Every field that is not a header, path or query field, whatever the method (see `body()`). */
  protected bodyFields(): Record<string, unknown> {
    const skip = wireShapeOf(this.constructor as typeof HordeRequest).notBody;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.toJSON())) {
      if (!skip.has(key)) out[key] = value;
    }
    return out;
  }

  /** `accept` and `client_agent` are instance fields of every request, set or not (see their docs). */
  protected override hydrate(data: Record<string, unknown>): Record<string, unknown> {
    // Object.assign, not a spread with two more keys: the spread of a zod output ran ten times slower.
    const fields = Object.assign({}, data);
    if (!("accept" in fields)) fields.accept = undefined;
    if (!("client_agent" in fields)) fields.client_agent = undefined;
    return fields;
  }

  /** Header values from this request's own header fields (the client adds its defaults around them). */
  headers(): Record<string, string> {
    const data = this as unknown as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [field, wireName] of wireShapeOf(this.constructor as typeof HordeRequest).headers) {
      const value = data[field];
      if (value !== undefined && value !== null) out[wireName] = String(value);
    }
    return out;
  }

  /** Everything the transport needs, for the given base URL. */
  toHttp(baseUrl?: string): HttpRequestSpec {
    const body = this.body();
    const headers = this.headers();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return {
      method: wireShapeOf(this.constructor as typeof HordeRequest).method,
      url: this.endpointUrl(baseUrl),
      headers,
      body: body && JSON.stringify(body),
    };
  }
}

/** How a request class goes on the wire, read from its static description (fixed per class) on its first send. */
interface WireShape {
  method: HttpMethod;
  /** The subpath cut at its placeholders: literal, field, literal, …, literal (`["/v2/x/", "id", ""]`). */
  path: string[];
  /** Header fields with their wire names. */
  headers: [field: string, wireName: string][];
  queryFields: string[];
  /** Header, path and query fields: never in the body. */
  notBody: Set<string>;
}

const wireShapes = new WeakMap<typeof HordeRequest, WireShape>();

function wireShapeOf(cls: typeof HordeRequest): WireShape {
  let shape = wireShapes.get(cls);
  if (!shape) {
    const headerFields = cls.getHeaderFields();
    const queryFields = cls.getQueryFields();
    shape = {
      method: cls.getHttpMethod(),
      path: cls.getApiEndpointSubpath().split(/\{(\w+)\}/),
      headers: headerFields.map((field) => [field, HEADER_WIRE_NAMES[field] ?? field]),
      queryFields,
      notBody: new Set([...headerFields, ...cls.getPathFields(), ...queryFields]),
    };
    wireShapes.set(cls, shape);
  }
  return shape;
}

function specOf(cls: typeof HordeRequest): EndpointSpec {
  if (!cls.endpoint) throw new HordeError(`${cls.name} does not declare its endpoint`);
  return cls.endpoint;
}

/** Base of every success response (mirrors horde_sdk's HordeResponse). */
export abstract class HordeResponse extends HordeAPIObject {
  /** True when this response is the last one of a follow-up chain (e.g. the final status). */
  static isFinalFollowUp(): boolean {
    return false;
  }

  /** For responses that start a job: the request to poll it with. */
  static getFollowUpDefaultRequestType(): RequestClass | null {
    return null;
  }

  /** For responses that start a job: the request that cancels it when the caller gives up. */
  static getFollowUpFailureCleanupRequestType(): RequestClass | null {
    return null;
  }

  /** For progress responses: the request that fetches the results once the job is complete. */
  static getFinalizeSuccessRequestType(): RequestClass | null {
    return null;
  }

  /** The fields a follow-up request needs (e.g. `[{ id }]`); empty when nothing follows. */
  getFollowUpReturnedParams(): Record<string, unknown>[] {
    return [];
  }

  /** True when this response leaves a job on the server that must be completed or cancelled. */
  requiresFollowUp(): boolean {
    return (this.constructor as typeof HordeResponse).getFollowUpFailureCleanupRequestType() !== null;
  }

  /** The cleanup requests (DELETEs) that would cancel what this response started. */
  cleanupRequests(base: Record<string, unknown> = {}): HordeRequest[] {
    const cleanup = (this.constructor as typeof HordeResponse).getFollowUpFailureCleanupRequestType();
    if (!cleanup) return [];
    return this.getFollowUpReturnedParams().map((params) => new cleanup({ ...base, ...params } as never));
  }
}

/** Progress responses (check/status): completion and possibility, as horde_sdk's ResponseWithProgressMixin. */
export interface ResponseWithProgress {
  /** True when the response holds all `numberOfResultsExpected` results (image /check: `done`). */
  isJobComplete(numberOfResultsExpected: number): boolean;
  /** False when the server says no worker can serve the request as it is (`is_possible`); waiting will not help. */
  isJobPossible(): boolean;
}
