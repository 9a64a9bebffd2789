/**
 * Receiving webhooks with any Fetch API server (Hono, Bun, Deno, Cloudflare Workers, Next.js route handlers):
 * `createWebhookHandler({ onDelivery })` is a `(Request) => Promise<Response>`. horde-sdk/node wraps the same
 * handler for `node:http`.
 *
 * The horde tries a delivery up to 3 times, 3 s each, and tries again on any non-2xx or a slow answer
 * (docs/server/image-requests.md#webhooks). So: a delivery whose handler fails is answered 500 (the horde
 * tries again), a body that is no delivery 400, and a delivery already handled — or still being handled —
 * is handed over once only.
 */
import { HordeValidationError } from "../core/errors.js";
import { type HordeWebhook, parseWebhook } from "./delivery.js";

/** How `createWebhookHandler` and `webhookListener` hand deliveries over, and what they refuse. */
export interface WebhookReceiverOptions {
  /**
   * Called once per delivery. Keep it under the horde's 3 s or it sends the delivery again (handed over once
   * anyway); throw to have the horde try again.
   */
  onDelivery(delivery: HordeWebhook): void | Promise<void>;
  /** Called with the reason a POST was refused as no delivery (default: nothing). */
  onInvalid?(error: HordeValidationError): void;
  /** How many delivered jobs to remember, so a repeated delivery is handed over once (default 1000; 0: none). */
  remember?: number;
  /** The largest body accepted, in bytes (default 32 MiB: a base64 image is a few MiB). */
  maxBodyBytes?: number;
}

/** The default `maxBodyBytes`: 32 MiB, room for a base64 image with its metadata. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** A Fetch API handler for webhook deliveries. */
export function createWebhookHandler(
  options: WebhookReceiverOptions,
): (request: Request) => Promise<Response> {
  const remember = options.remember ?? 1000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  /** Deliveries handled or in hand, oldest first: a repeat waits for the first one's outcome. */
  const seen = new Map<string, Promise<void>>();

  const handleOnce = (delivery: HordeWebhook): Promise<void> => {
    const key = `${delivery.kind}:${delivery.request}:${delivery.id}`;
    const known = seen.get(key);
    if (known) return known;
    const handled = Promise.resolve()
      .then(() => options.onDelivery(delivery))
      .catch((error: unknown) => {
        seen.delete(key); // not handled: the horde's next attempt hands it over again
        throw error;
      });
    if (remember > 0) {
      seen.set(key, handled);
      while (seen.size > remember) seen.delete(seen.keys().next().value as string);
    }
    return handled;
  };

  return async (request) => {
    if (request.method !== "POST") return answer(405, "webhooks are POSTed", { allow: "POST" });
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > maxBodyBytes) return answer(413, `the body is over ${maxBodyBytes} bytes`);
    let delivery: HordeWebhook;
    try {
      const text = await readText(request, maxBodyBytes);
      if (text === undefined) return answer(413, `the body is over ${maxBodyBytes} bytes`);
      delivery = parseWebhook(text);
    } catch (error) {
      if (!(error instanceof HordeValidationError)) throw error;
      options.onInvalid?.(error);
      return answer(400, error.message);
    }
    try {
      await handleOnce(delivery);
    } catch {
      // The handler's own error stays with the application; the horde only needs to know to try again.
      return answer(500, "the delivery was not handled");
    }
    return answer(200, "ok");
  };
}

/** The body as text, or undefined once it grows past the limit (a missing Content-Length is no way around it). */
async function readText(request: Request, maxBytes: number): Promise<string | undefined> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function answer(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
