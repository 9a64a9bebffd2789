import { HordeValidationError } from "./errors.js";
import { HordeAPIObject } from "./model.js";
import type { HordeResponse } from "./response.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The production AI Horde. */
export const DEFAULT_BASE_URL = "https://aihorde.net/api";

/** The key everyone may use without registering. */
export const ANONYMOUS_API_KEY = "0000000000";

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

/**
 * Base of every request (mirrors horde_sdk's HordeRequest): the request describes itself — method, path,
 * which fields are headers, path or query parameters — and everything else is the JSON body.
 */
export abstract class HordeRequest<R extends HordeResponse = HordeResponse> extends HordeAPIObject {
  /** Type-only: the response this request resolves to (lets `submitRequest` return the right class). */
  declare readonly "~response"?: R;
  declare readonly accept?: string;
  declare readonly client_agent?: string;

  /** Where and how this request is sent; subclasses declare it with `endpoint(...)`. */
  static readonly endpoint: EndpointSpec | undefined = undefined;

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
    const data = this as unknown as Record<string, unknown>;
    let url = ctor.getApiEndpointUrl(baseUrl).replace(/\{(\w+)\}/g, (_m, name: string) => {
      const value = data[name];
      if (value === undefined || value === null || value === "") {
        throw new Error(`${ctor.name}: path field ${name} is missing`);
      }
      // encodeURIComponent keeps "." and "..", and URL parsing resolves them as dot segments: an id of ".."
      // would turn DELETE /v2/generate/status/{id} into DELETE /v2/generate/. No id of the API is one.
      if (value === "." || value === "..") {
        throw new HordeValidationError(ctor.name, [{ path: name, message: "must not be '.' or '..'" }]);
      }
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    for (const field of ctor.getQueryFields()) {
      const value = data[field];
      if (value !== undefined && value !== null) query.set(field, String(value));
    }
    const qs = query.toString();
    if (qs) url += `?${qs}`;
    return url;
  }

  /** The JSON body: every field that is not a header, path or query field; `undefined` when there is none. */
  body(): Record<string, unknown> | undefined {
    const ctor = this.constructor as typeof HordeRequest;
    if (ctor.getHttpMethod() === "GET" || ctor.getHttpMethod() === "DELETE") return undefined;
    const skip = new Set([...ctor.getHeaderFields(), ...ctor.getPathFields(), ...ctor.getQueryFields()]);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.toJSON())) {
      if (!skip.has(key)) out[key] = value;
    }
    return out;
  }

  /** Header values from this request's own header fields (the client adds its defaults around them). */
  headers(): Record<string, string> {
    const ctor = this.constructor as typeof HordeRequest;
    const data = this as unknown as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const field of ctor.getHeaderFields()) {
      const value = data[field];
      if (value !== undefined && value !== null) out[HEADER_WIRE_NAMES[field] ?? field] = String(value);
    }
    return out;
  }

  /** Everything the transport needs, for the given base URL. */
  toHttp(baseUrl?: string): HttpRequestSpec {
    const ctor = this.constructor as typeof HordeRequest;
    const body = this.body();
    const headers = this.headers();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return {
      method: ctor.getHttpMethod(),
      url: this.endpointUrl(baseUrl),
      headers,
      body: body && JSON.stringify(body),
    };
  }
}

function specOf(cls: typeof HordeRequest): EndpointSpec {
  if (!cls.endpoint) throw new Error(`${cls.name} does not declare its endpoint`);
  return cls.endpoint;
}
