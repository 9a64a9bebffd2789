/**
 * The webhook outbox: delivery as the server does it (docs/server/image-requests.md#webhooks, docs/server/alchemy.md#worker-submit):
 * a JSON POST per delivered job, best effort — up to 3 attempts, 3 s each, a non-2xx or a network error
 * tries again, the third failure is given up. Image and text deliveries go through one bounded queue
 * (256) drained by one sender, so a slow subscriber never holds up a worker's submit; alchemy deliveries
 * are sent while the worker's submit waits, as the server does.
 */
import type { EmulatorLogger } from "../../logger.js";

export const WEBHOOK_ATTEMPTS = 3;
export const WEBHOOK_TIMEOUT_MS = 3_000;
export const WEBHOOK_QUEUE_SIZE = 256;

/** How a webhook delivery ended: `ok`, given up after 3 attempts (`giveup`), or `dropped` because the queue was full. */
export type WebhookOutcome = "ok" | "giveup" | "dropped";

/** How the emulator delivers webhooks (the `webhooks` option). */
export interface WebhookOptions {
  /** How deliveries are POSTed (default: the global fetch). Tests wire a receiver in directly. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /**
   * DEVIATION(docs/server/deviations.md#http-webhooks-on-loopback): also accept `http://` webhooks to a
   * loopback host (127.0.0.0/8, ::1, localhost), so that a test's or a developer's local receiver works
   * without a certificate. Default true; false is the server's rule, https only.
   */
  httpOnLoopback?: boolean;
}

export interface WebhookDelivery {
  url: string;
  body: Record<string, unknown>;
}

export class WebhookSender {
  readonly httpOnLoopback: boolean;
  /**
   * Where a delivery's download URLs point: the listening origin, since the subscriber is outside the
   * process (in-process dev workers submit through `http://horde.local`). Unset: the submitting caller's origin.
   */
  publicOrigin: string | undefined;
  readonly #fetch: NonNullable<WebhookOptions["fetch"]>;
  readonly #queue: WebhookDelivery[] = [];
  readonly #outcomes: Record<WebhookOutcome, number> = { ok: 0, giveup: 0, dropped: 0 };
  #draining: Promise<void> | undefined;

  constructor(
    options: WebhookOptions,
    private readonly logger: EmulatorLogger,
  ) {
    this.httpOnLoopback = options.httpOnLoopback ?? true;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Whether a request may name this webhook (the check itself and its message belong to each kind's submit). */
  accepts(url: string): boolean {
    if (url.startsWith("https://")) return true;
    if (!this.httpOnLoopback || !url.startsWith("http://")) return false;
    try {
      return isLoopback(new URL(url).hostname);
    } catch {
      return false;
    }
  }

  /** Image and text: queued for the background sender; dropped when 256 deliveries are already waiting. */
  enqueue(delivery: WebhookDelivery): void {
    if (this.#queue.length >= WEBHOOK_QUEUE_SIZE) {
      this.#outcomes.dropped++;
      this.logger.warn?.("webhook queue full: a delivery was dropped", { url: delivery.url });
      return;
    }
    this.#queue.push(delivery);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Alchemy: sent now; the caller waits for the outcome. */
  async send(delivery: WebhookDelivery): Promise<WebhookOutcome> {
    const outcome = await this.#attempt(delivery);
    this.#outcomes[outcome]++;
    return outcome;
  }

  /** Resolves once every queued delivery has been sent or given up (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** How many deliveries succeeded, were given up after 3 attempts, or found the queue full. */
  outcomes(): Readonly<Record<WebhookOutcome, number>> {
    return { ...this.#outcomes };
  }

  /** Forgets what is queued and the counts (the emulator's reset). */
  clear(): void {
    this.#queue.length = 0;
    for (const key of Object.keys(this.#outcomes) as WebhookOutcome[]) this.#outcomes[key] = 0;
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      this.#outcomes[await this.#attempt(next)]++;
    }
  }

  async #attempt({ url, body }: WebhookDelivery): Promise<WebhookOutcome> {
    const payload = JSON.stringify(body);
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt++) {
      try {
        const res = await this.#fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: payload,
          // A real-time limit: the subscriber is on the network, whatever clock the horde runs on.
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await res.body?.cancel().catch(() => {});
        if (res.ok) return "ok";
        this.logger.debug?.("webhook answered with an error", { url, status: res.status, attempt });
      } catch (error) {
        this.logger.debug?.("webhook could not be delivered", { url, error: String(error), attempt });
      }
    }
    return "giveup";
  }
}

/** 127.0.0.0/8, ::1 and localhost: a receiver on this machine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}
