/**
 * Webhook deliveries on `node:http` (or Express, which passes the same objects): the Fetch API handler of
 * horde-sdk, fed from an IncomingMessage. Use it as `http.createServer(webhookListener({ onDelivery }))`,
 * or mount it on a path of an existing server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createWebhookHandler, type WebhookReceiverOptions } from "../webhooks/receiver.js";

/** A `node:http` request listener that receives webhook deliveries (see `WebhookReceiverOptions`). */
export function webhookListener(
  options: WebhookReceiverOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const handle = createWebhookHandler(options);
  return async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    let response: Response;
    try {
      response = await handle(
        new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
          method: req.method ?? "POST",
          headers,
          ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
        } as RequestInit),
      );
    } catch {
      response = new Response(JSON.stringify({ message: "the delivery could not be read" }), { status: 400 });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
    // A refused body may be unread: drain it so a keep-alive connection stays usable.
    if (!req.readableEnded) req.resume();
  };
}
