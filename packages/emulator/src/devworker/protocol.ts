/**
 * What every dev worker shares: the connection, the pop → work → submit loop on the clock, and the
 * stop semantics. Subclasses only say how to pop, deliver and give up (the protocol part stays thin:
 * a later issue rebuilds the workers on the SDK's worker API).
 */
import { type Clock, systemClock } from "horde-sdk";
import { holdClock } from "../clock.js";
import type { EmulatorLogger } from "../logger.js";

export const DEV_CLIENT_AGENT = "horde-emulator-devworker:0.1.0:https://github.com/horde-sdk-ts";

export interface DevWorkerConnection {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** The API base, e.g. `http://horde.local/api`. */
  baseUrl: string;
  apikey: string;
  logger?: EmulatorLogger;
  /** Sent as `X-Forwarded-For`, so each dev worker counts as its own client IP for the rate limits. */
  ip?: string;
}

export interface DevWorkerStats {
  pops: number;
  delivered: number;
  faulted: number;
  errors: number;
}

export type DevWorkerType = "image" | "text" | "alchemy";

export interface BaseDevWorkerOptions {
  /** Worker name (unique on the horde). */
  name?: string;
  /** Simulated work time on the clock, per pop (default 1500 ms), divided by `speed`. */
  generationMs?: number;
  /** Wait between pops when there is no job (default 1000 ms). */
  popIntervalMs?: number;
  /** Divides `generationMs` (default 1; 10 = ten times faster). */
  speed?: number;
  bridgeAgent?: string;
  clock?: Clock;
}

export abstract class ProtocolWorker<Job> {
  abstract readonly type: DevWorkerType;
  readonly name: string;
  readonly stats: DevWorkerStats = { pops: 0, delivered: 0, faulted: 0, errors: 0 };
  protected readonly clock: Clock;
  protected readonly generationMs: number;
  protected readonly popIntervalMs: number;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    protected readonly conn: DevWorkerConnection,
    options: BaseDevWorkerOptions,
    defaultName: string,
  ) {
    this.name = options.name ?? defaultName;
    this.clock = options.clock ?? systemClock;
    const speed = options.speed && options.speed > 0 ? options.speed : 1;
    this.generationMs = (options.generationMs ?? 1500) / speed;
    this.popIntervalMs = options.popIntervalMs ?? 1000;
  }

  get running(): boolean {
    return this.loop !== null && !this.stopSignal.signal.aborted;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Stops polling. A job still "generating" is submitted as faulted; one being uploaded is finished. */
  async stop(): Promise<void> {
    this.stopSignal.abort(new Error("dev worker stopped"));
    await this.loop;
  }

  /** One pop; null when there is no job (or the pop failed). */
  protected abstract pop(): Promise<Job | null>;
  protected abstract deliver(job: Job): Promise<void>;
  protected abstract fault(job: Job): Promise<void>;

  private async run(): Promise<void> {
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      const job = await holdClock(this.clock, () => this.guardedPop());
      if (!job) {
        if (!(await this.wait(this.popIntervalMs))) break;
        continue;
      }
      if (!(await this.wait(this.generationMs))) {
        await holdClock(this.clock, () => this.fault(job));
        break;
      }
      await holdClock(this.clock, () => this.deliver(job));
    }
  }

  private async guardedPop(): Promise<Job | null> {
    try {
      return await this.pop();
    } catch (e) {
      this.stats.errors++;
      this.conn.logger?.warn?.(`dev worker ${this.name}: pop failed`, { error: String(e) });
      return null;
    }
  }

  /** Sleeps on the clock; false when stopped meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.stopSignal.signal);
      return true;
    } catch {
      return false;
    }
  }

  protected async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      apikey: this.conn.apikey,
      "Client-Agent": DEV_CLIENT_AGENT,
      "Content-Type": "application/json",
    };
    if (this.conn.ip) headers["X-Forwarded-For"] = this.conn.ip;
    return this.conn.fetch(`${this.conn.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** POSTs a pop body; returns the JSON of a 200, or null (logged) otherwise. */
  protected async popJson<T>(path: string, body: unknown): Promise<T | null> {
    const res = await this.call("POST", path, body);
    const text = await res.text();
    if (!res.ok) {
      this.stats.errors++;
      this.conn.logger?.warn?.(`dev worker ${this.name}: pop failed (${res.status})`, {
        body: text.slice(0, 200),
      });
      return null;
    }
    this.stats.pops++;
    return JSON.parse(text) as T;
  }

  /** POSTs a submit; throws on a non-2xx so the caller counts the error. */
  protected async submitJson(path: string, body: unknown): Promise<void> {
    const res = await this.call("POST", path, body);
    if (!res.ok) throw new Error(`submit failed with ${res.status}: ${await res.text()}`);
    await res.body?.cancel();
  }

  protected warn(message: string, error: unknown): void {
    this.stats.errors++;
    this.conn.logger?.warn?.(`dev worker ${this.name}: ${message}`, { error: String(error) });
  }
}
