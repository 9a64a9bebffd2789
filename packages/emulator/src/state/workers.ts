import { randomUUID } from "node:crypto";
import { type Bridge, parseBridgeAgent } from "../rules/bridge.js";

/** What a pop declares about the worker; stored at check-in (§5.1 step 7). Runtime defaults applied. */
export interface WorkerDeclaration {
  name: string;
  priorityUsernames: string[];
  nsfw: boolean;
  models: string[];
  bridgeAgent: string;
  threads: number;
  requireUpfrontKudos: boolean;
  amount: number;
  extraSlow: boolean;
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
}

export interface Worker extends Omit<WorkerDeclaration, "amount" | "priorityUsernames"> {
  id: string;
  ownerId: number;
  bridge: Bridge;
  createdAt: number;
  lastCheckIn: number;
  /** Recent speeds in pixel-steps per second, one per delivered job. */
  performances: number[];
  fulfilled: number;
  kudosRewards: number;
  /** When jobs of this worker were aborted as stale. */
  abortedAt: number[];
}

/** A worker counts as active when it checked in within this window (§2.1, §7). */
export const ACTIVE_WINDOW_MS = 300_000;
const KEPT_PERFORMANCES = 20;

export class Workers {
  private byId = new Map<string, Worker>();

  reset(): void {
    this.byId.clear();
  }

  findByName(name: string): Worker | undefined {
    for (const w of this.byId.values()) if (w.name === name) return w;
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

  active(now: number): Worker[] {
    return this.all().filter((w) => now - w.lastCheckIn <= ACTIVE_WINDOW_MS);
  }

  create(ownerId: number, decl: WorkerDeclaration, now: number): Worker {
    const worker: Worker = {
      ...declared(decl),
      id: randomUUID(),
      ownerId,
      createdAt: now,
      lastCheckIn: now,
      performances: [],
      fulfilled: 0,
      kudosRewards: 0,
      abortedAt: [],
    };
    this.byId.set(worker.id, worker);
    return worker;
  }

  /** Stores what the pop declared. The real server debounces this to once per 30 s; here it is every pop. */
  checkIn(worker: Worker, decl: WorkerDeclaration, now: number): void {
    Object.assign(worker, declared(decl));
    worker.lastCheckIn = now;
  }

  recordPerformance(worker: Worker, pixelStepsPerSecond: number): void {
    worker.performances.push(pixelStepsPerSecond);
    if (worker.performances.length > KEPT_PERFORMANCES) worker.performances.shift();
  }
}

function declared(decl: WorkerDeclaration): Omit<WorkerDeclaration, "amount" | "priorityUsernames"> & {
  bridge: Bridge;
} {
  const { amount: _amount, priorityUsernames: _priority, ...rest } = decl;
  return { ...rest, bridge: parseBridgeAgent(decl.bridgeAgent) };
}

/** A worker's speed in pixel-steps per second, or null before its first delivery. */
export function workerSpeed(worker: Worker): number | null {
  if (worker.performances.length === 0) return null;
  return worker.performances.reduce((a, b) => a + b, 0) / worker.performances.length;
}
