/**
 * A local stand-in for the horde's Cloudflare R2 bucket (docs/server/workers.md#r2-uploads): objects in
 * memory, reached through
 * presigned-style URLs that the emulator serves itself under the origin of the incoming request:
 * `${origin}/_r2/<key>?expires=<epoch s>&sig=<hmac>`. The signature covers the method, the key and the
 * expiry, so a download URL cannot be used to upload and an expired or edited URL is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Both upload and download URLs are valid 1800 s (docs/server/image-requests.md#status, docs/server/workers.md#r2-uploads). */
export const R2_URL_TTL_S = 1800;
/** Results are pruned 120 min after upload (docs/server/image-requests.md#expiry). */
export const R2_OBJECT_LIFETIME_MS = 120 * 60_000;
export const R2_PATH_PREFIX = "/_r2/";

export type R2Method = "GET" | "PUT";

interface R2Object {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  uploadedAt: number;
}

export type R2Check = "ok" | "expired" | "bad-signature";

export class R2Store {
  private objects = new Map<string, R2Object>();
  private readonly secret = randomBytes(32);

  reset(): void {
    this.objects.clear();
  }

  private sign(method: R2Method, key: string, expires: number): string {
    return createHmac("sha256", this.secret).update(`${method}\n${key}\n${expires}`).digest("hex");
  }

  presign(origin: string, method: R2Method, key: string, now: number, ttlS = R2_URL_TTL_S): string {
    const expires = Math.floor(now / 1000) + ttlS;
    const sig = this.sign(method, key, expires);
    return `${origin}${R2_PATH_PREFIX}${encodeURIComponent(key)}?expires=${expires}&sig=${sig}`;
  }

  check(
    method: R2Method,
    key: string,
    expires: string | undefined,
    sig: string | undefined,
    now: number,
  ): R2Check {
    if (!expires || !sig || !/^\d+$/.test(expires)) return "bad-signature";
    const want = Buffer.from(this.sign(method, key, Number(expires)), "hex");
    const got = Buffer.from(sig, "hex");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return "bad-signature";
    return Number(expires) * 1000 < now ? "expired" : "ok";
  }

  put(key: string, bytes: Uint8Array<ArrayBuffer>, contentType: string, now: number): void {
    // Deleted first so the map stays in upload order, which lets `prune` stop at the first young object.
    this.objects.delete(key);
    this.objects.set(key, { bytes, contentType, uploadedAt: now });
  }

  /** Deletes the objects older than their lifetime, as the server's pruner does (docs/server/retention.md#r2-objects). */
  prune(now: number): void {
    for (const [key, obj] of this.objects) {
      if (now - obj.uploadedAt <= R2_OBJECT_LIFETIME_MS) break;
      this.objects.delete(key);
    }
  }

  /** The object, unless it was never uploaded or has been pruned. */
  get(key: string, now: number): R2Object | undefined {
    const obj = this.objects.get(key);
    if (obj && now - obj.uploadedAt > R2_OBJECT_LIFETIME_MS) {
      this.objects.delete(key);
      return undefined;
    }
    return obj;
  }

  get size(): number {
    return this.objects.size;
  }
}

/** The object key of a job's result. */
export const resultKey = (jobId: string): string => `${jobId}.webp`;
