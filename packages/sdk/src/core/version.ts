/** The SDK's version, sent in the default `Client-Agent` so the horde's operators can tell our traffic apart. */
export const VERSION = "0.1.0";
