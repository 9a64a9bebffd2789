/**
 * The emulator's in-process dev workers: started by spec (a type and the type's options), named per type
 * (`dev-worker-1`, `dev-text-worker-1`, `dev-alchemist-1`), each its own client IP, all owned by one user.
 */
import { AlchemyDevWorker, type AlchemyDevWorkerOptions } from "./alchemy.js";
import { DEV_WORKER_NAME_PREFIX, type DevWorkerConnection } from "./base.js";
import { DevWorker, type DevWorkerOptions } from "./image.js";
import { TextDevWorker, type TextDevWorkerOptions } from "./text.js";

/** One dev worker to start (`devWorkers: [spec, …]`, `startDevWorker(spec)`): its `type` (default image) and options. */
export type DevWorkerSpec =
  | (DevWorkerOptions & { type?: "image" })
  | (TextDevWorkerOptions & { type: "text" })
  | (AlchemyDevWorkerOptions & { type: "alchemy" });

/** A dev worker of any kind (`emulator.devWorkers`). */
export type AnyDevWorker = DevWorker | TextDevWorker | AlchemyDevWorker;

/** `devWorkers: N` → N of each type; a list → as given. */
export function devWorkerSpecs(devWorkers: number | DevWorkerSpec[] | undefined): DevWorkerSpec[] {
  if (devWorkers === undefined) return [];
  if (typeof devWorkers !== "number") return devWorkers;
  const n = Math.max(0, Math.floor(devWorkers));
  const of = (type: "image" | "text" | "alchemy") =>
    Array.from({ length: n }, () => ({ type }) as DevWorkerSpec);
  return [...of("image"), ...of("text"), ...of("alchemy")];
}

export interface DevWorkerPoolOptions {
  /** The connection of the next worker: the emulator's unfaulted door, the owner's key, the API base. */
  connection(ip: string): DevWorkerConnection;
  /** Options every worker gets unless its spec says otherwise (the clock, the speed, the models by kind). */
  defaults: { clock: DevWorkerOptions["clock"]; speed?: number; models?: string[]; textModels?: string[] };
}

export class DevWorkerPool {
  readonly workers: AnyDevWorker[] = [];

  constructor(private readonly options: DevWorkerPoolOptions) {}

  /** Starts one more worker; a name that a running worker has is refused. */
  start(spec: DevWorkerSpec = {}): AnyDevWorker {
    const type = spec.type ?? "image";
    const sameType = this.workers.filter((w) => w.type === type).length + 1;
    const name = spec.name ?? `${DEV_WORKER_NAME_PREFIX[type]}-${sameType}`;
    if (this.workers.some((w) => w.name === name && w.running))
      throw new Error(`a dev worker named '${name}' runs already`);
    // Each dev worker is its own client IP, as real workers are: they never eat the caller's limits.
    const conn = this.options.connection(`10.77.0.${this.workers.length + 1}`);
    const { clock, speed, models, textModels } = this.options.defaults;
    const kindModels = type === "image" ? models : type === "text" ? textModels : undefined;
    const common = {
      clock,
      ...(speed !== undefined ? { speed } : {}),
      ...(kindModels ? { models: kindModels } : {}),
      ...spec,
      name,
    };
    const worker =
      spec.type === "text"
        ? new TextDevWorker(conn, common as TextDevWorkerOptions)
        : spec.type === "alchemy"
          ? new AlchemyDevWorker(conn, common as AlchemyDevWorkerOptions)
          : new DevWorker(conn, common as DevWorkerOptions);
    this.workers.push(worker);
    return worker.start();
  }

  /** Stops every worker (jobs still "generating" are reported faulted). */
  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}
