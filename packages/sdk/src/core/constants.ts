import { VERSION } from "./version.js";

/** The production AI Horde. */
export const DEFAULT_BASE_URL = "https://aihorde.net/api";

/** The key everyone may use without registering. */
export const ANONYMOUS_API_KEY = "0000000000";

/** The `Client-Agent` the SDK sends unless told otherwise (`name:version:contact`, as the horde asks). */
export const DEFAULT_CLIENT_AGENT = `horde-sdk-ts:${VERSION}:https://www.npmjs.com/package/horde-sdk`;

/** The `Accept` header of API calls: every answer of the API is JSON. */
export const DEFAULT_ACCEPT = "application/json";
