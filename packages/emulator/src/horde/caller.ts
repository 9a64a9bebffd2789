/** Who is asking: what the HTTP layer read from the request and hands to the domain. */
export interface Caller {
  /** The `apikey` header ("" when the route does not require one and none was sent). */
  apikey: string;
  /** The `Client-Agent` header, or the server's default. */
  clientAgent: string;
  /** The origin the client used to reach the emulator: R2 URLs are minted under it. */
  origin: string;
  /** The client's IP as the server sees it (the last `X-Forwarded-For` entry, docs/server/rate-limits.md#mechanics). */
  ip: string;
  /** A fault plan put the horde in maintenance for this request (`maintenance` fault). */
  maintenance: boolean;
}
