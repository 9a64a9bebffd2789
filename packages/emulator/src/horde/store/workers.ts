/** Workers (docs/server/workers.md#pop): what each declared at its last check-in, its uptime, speed and contributions. */
import { randomUUID } from "node:crypto";
import { type Bridge, parseBridgeAgent } from "../reference/bridges.js";

/** The three worker types; a name belongs to one type only (docs/server/workers.md#pop step 3, `PolymorphicNameConflict`). */
export type WorkerType = "image" | "text" | "interrogation";

/**
 * What a pop declares about the worker; stored at check-in (docs/server/workers.md#pop step 7), runtime
 * defaults applied.
 * Every worker carries every field; the ones of other types keep their defaults and are not shown.
 */
export interface WorkerDeclaration {
  type: WorkerType;
  name: string;
  priorityUsernames: string[];
  nsfw: boolean;
  models: string[];
  bridgeAgent: string;
  threads: number;
  requireUpfrontKudos: boolean;
  amount: number;
  extraSlow: boolean;
  // image (docs/server/workers.md#pop)
  maxPixels: number;
  blacklist: string[];
  allowImg2img: boolean;
  allowPainting: boolean;
  allowUnsafeIpaddr: boolean;
  allowPostProcessing: boolean;
  allowControlnet: boolean;
  allowSdxlControlnet: boolean;
  allowLora: boolean;
  limitMaxSteps: boolean;
  // text (docs/server/text.md#text)
  maxLength: number;
  maxContextLength: number;
  softprompts: string[];
  // alchemy (docs/server/alchemy.md#alchemy)
  forms: string[];
  maxTiles: number;
}

/** The defaults of the fields a worker of another type never declares. */
export const DECLARATION_DEFAULTS: Omit<WorkerDeclaration, "type" | "name"> = {
  priorityUsernames: [],
  nsfw: true,
  models: [],
  bridgeAgent: "unknown:0:unknown",
  threads: 1,
  requireUpfrontKudos: false,
  amount: 1,
  extraSlow: false,
  maxPixels: 262144,
  blacklist: [],
  allowImg2img: true,
  allowPainting: true,
  allowUnsafeIpaddr: true,
  allowPostProcessing: true,
  allowControlnet: false,
  allowSdxlControlnet: false,
  allowLora: false,
  limitMaxSteps: false,
  maxLength: 512,
  maxContextLength: 2048,
  softprompts: [],
  forms: [],
  maxTiles: 80,
};

export interface Worker extends Omit<WorkerDeclaration, "amount" | "priorityUsernames"> {
  id: string;
  ownerId: number;
  bridge: Bridge;
  createdAt: number;
  lastCheckIn: number;
  /** Online time accumulated from check-ins less than 300 s apart, and the part already paid (docs/server/workers.md#pop step 7). */
  uptimeMs: number;
  uptimePaidMs: number;
  kudosUptime: number;
  /** Recent speeds (pixel-steps/s for images, tokens/s for text), one per delivered job. */
  performances: number[];
  fulfilled: number;
  kudosGenerated: number;
  megapixelsteps: number;
  tokens: number;
  /** When jobs of this worker were aborted as stale (the server's `uncompleted_jobs`). */
  abortedAt: number[];
  maintenance: boolean;
  /** What a pop in maintenance is told (docs/server/workers.md#pop step 10); the owner may set it. */
  maintenanceMsg: string;
  /** Paused by a moderator: gets no jobs. */
  paused: boolean;
  /** The owner's note, null until set. */
  info: string | null;
  /** The team its kudos count towards, or null. */
  teamId: string | null;
}

/** The server's maintenance message when the owner gives none. */
export const DEFAULT_MAINTENANCE_MSG = "This worker has been put into maintenance mode by its owner";

/** A worker counts as active when it checked in within this window (docs/server/progress.md#counters, docs/server/directory.md#directory). */
export const ACTIVE_WINDOW_MS = 300_000;
const KEPT_PERFORMANCES = 20;
/** Uptime kudos are paid per 600 s online (docs/server/workers.md#pop step 7, docs/server/alchemy.md#alchemy). */
const UPTIME_CHUNK_MS = 600_000;

export class Workers {
  private byId = new Map<string, Worker>();

  reset(): void {
    this.byId.clear();
  }

  /**
   * Worker names are unique over all types, compared case-insensitively; `exact` compares them as the
   * server's lookups by name do (case-sensitive).
   */
  findByName(name: string, exact = false): Worker | undefined {
    const same = exact
      ? (w: Worker) => w.name === name
      : (w: Worker) => w.name.toLowerCase() === name.toLowerCase();
    for (const w of this.byId.values()) if (same(w)) return w;
    return undefined;
  }

  findById(id: string): Worker | undefined {
    return this.byId.get(id);
  }

  ownedBy(userId: number): Worker[] {
    return [...this.byId.values()].filter((w) => w.ownerId === userId);
  }

  all(): Worker[] {
    return [...this.byId.values()];
  }

  active(now: number, type?: WorkerType): Worker[] {
    return this.all().filter(
      (w) => now - w.lastCheckIn <= ACTIVE_WINDOW_MS && (type === undefined || w.type === type),
    );
  }

  create(ownerId: number, decl: WorkerDeclaration, now: number): Worker {
    const worker: Worker = {
      ...declared(decl),
      id: randomUUID(),
      ownerId,
      createdAt: now,
      lastCheckIn: now,
      uptimeMs: 0,
      uptimePaidMs: 0,
      kudosUptime: 0,
      performances: [],
      fulfilled: 0,
      kudosGenerated: 0,
      megapixelsteps: 0,
      tokens: 0,
      abortedAt: [],
      maintenance: false,
      maintenanceMsg: DEFAULT_MAINTENANCE_MSG,
      paused: false,
      info: null,
      teamId: null,
    };
    this.byId.set(worker.id, worker);
    return worker;
  }

  /**
   * Stores what the pop declared and counts uptime. The real server debounces this to once per 30 s;
   * here it is every pop. Returns the uptime kudos due (a multiple of whole 600 s chunks), which the
   * caller credits to the owner.
   */
  checkIn(worker: Worker, decl: WorkerDeclaration, now: number): number {
    const gap = now - worker.lastCheckIn;
    if (gap > 0 && gap <= ACTIVE_WINDOW_MS) worker.uptimeMs += gap;
    Object.assign(worker, declared(decl));
    worker.lastCheckIn = now;
    let due = 0;
    while (worker.uptimeMs - worker.uptimePaidMs >= UPTIME_CHUNK_MS) {
      worker.uptimePaidMs += UPTIME_CHUNK_MS;
      due += uptimeReward(worker);
    }
    worker.kudosUptime += due;
    return due;
  }

  /**
   * Puts a worker in or out of maintenance (docs/server/workers.md#pop step 10), as its owner or a moderator
   * would; `message` (if not empty) replaces the default message its pops get.
   */
  setMaintenance(worker: Worker, on: boolean, message?: string | null): void {
    worker.maintenance = on;
    worker.maintenanceMsg = on && message ? message : DEFAULT_MAINTENANCE_MSG;
  }

  /** Forgets the worker (its owner's kudos stay). */
  delete(worker: Worker): void {
    this.byId.delete(worker.id);
  }

  recordPerformance(worker: Worker, perSecond: number): void {
    worker.performances.push(perSecond);
    if (worker.performances.length > KEPT_PERFORMANCES) worker.performances.shift();
  }
}

/** Uptime kudos per 600 s: 50 + 2 per model (+30 with LoRAs) for image and text workers, 40 for alchemists. */
function uptimeReward(worker: Worker): number {
  if (worker.type === "interrogation") return 40;
  return 50 + 2 * worker.models.length + (worker.type === "image" && worker.allowLora ? 30 : 0);
}

function declared(decl: WorkerDeclaration): Omit<WorkerDeclaration, "amount" | "priorityUsernames"> & {
  bridge: Bridge;
} {
  const { amount: _amount, priorityUsernames: _priority, ...rest } = decl;
  return { ...rest, bridge: parseBridgeAgent(decl.bridgeAgent) };
}

/** A worker's speed (pixel-steps/s for images, tokens/s for text), or null before its first delivery. */
export function workerSpeed(worker: Worker): number | null {
  if (worker.performances.length === 0) return null;
  return worker.performances.reduce((a, b) => a + b, 0) / worker.performances.length;
}
