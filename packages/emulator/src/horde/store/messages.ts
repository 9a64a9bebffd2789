/** Messages to workers (docs/server/directory.md#worker-messages): to one worker, or to all (no worker). */
import { randomUUID } from "node:crypto";

export interface WorkerMessage {
  id: string;
  /** The worker it is for, or null for every worker. */
  workerId: string | null;
  /** Who sent it. */
  userId: number;
  message: string;
  origin: string;
  createdAt: number;
  expiresAt: number;
}

export class WorkerMessages {
  private byId = new Map<string, WorkerMessage>();

  reset(): void {
    this.byId.clear();
  }

  create(input: Omit<WorkerMessage, "id">): WorkerMessage {
    const message: WorkerMessage = { ...input, id: randomUUID() };
    this.byId.set(message.id, message);
    return message;
  }

  find(id: string): WorkerMessage | undefined {
    return this.byId.get(id);
  }

  /** In creation order. */
  all(): WorkerMessage[] {
    return [...this.byId.values()];
  }

  delete(message: WorkerMessage): void {
    this.byId.delete(message.id);
  }

  /** A worker's messages go with it; messages for every worker stay. */
  deleteForWorker(workerId: string): void {
    for (const m of this.byId.values()) if (m.workerId === workerId) this.byId.delete(m.id);
  }
}
