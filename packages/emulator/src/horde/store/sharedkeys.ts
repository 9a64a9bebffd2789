/**
 * Shared keys (docs/server/directory.md#shared-keys): UUIDs that spend their owner's kudos, with an
 * optional kudos budget, expiry and per-job limits.
 */
import { randomUUID } from "node:crypto";

/** `-1` means "no limit" for the budget and every per-job limit. */
export const UNLIMITED = -1;

export interface SharedKey {
  id: string;
  ownerId: number;
  name: string | null;
  /** What is left of the budget (whole kudos), or -1; a key at 0 is empty. */
  kudos: number;
  /** Kudos spent through the key so far. */
  utilized: number;
  /** Epoch ms, or null for a key that never expires. */
  expiresAt: number | null;
  maxImagePixels: number;
  maxImageSteps: number;
  maxTextTokens: number;
  createdAt: number;
}

export type SharedKeyInput = Pick<
  SharedKey,
  "ownerId" | "name" | "kudos" | "expiresAt" | "maxImagePixels" | "maxImageSteps" | "maxTextTokens"
>;

export class SharedKeys {
  private byId = new Map<string, SharedKey>();

  reset(): void {
    this.byId.clear();
  }

  create(input: SharedKeyInput, now: number): SharedKey {
    const key: SharedKey = { ...input, id: randomUUID(), utilized: 0, createdAt: now };
    this.byId.set(key.id, key);
    return key;
  }

  /** The key with this id; ids compare as UUIDs (case-insensitive), anything else finds nothing. */
  find(id: string): SharedKey | undefined {
    return this.byId.get(id.toLowerCase());
  }

  ownedBy(userId: number): SharedKey[] {
    return [...this.byId.values()].filter((k) => k.ownerId === userId);
  }

  delete(key: SharedKey): void {
    this.byId.delete(key.id);
  }

  /**
   * A charge paid through the key: the budget shrinks (never below 0, an unlimited one stays -1) and
   * `utilized` grows. A key already at 0 takes no more charges.
   */
  consume(key: SharedKey, kudos: number): void {
    if (key.kudos === 0) return;
    if (key.kudos !== UNLIMITED) key.kudos = Math.max(0, Math.round(key.kudos - kudos));
    key.utilized = Math.round(key.utilized + kudos);
  }
}

/** Why a key cannot be used, with the server's rc, or null when it can (docs/server/directory.md#shared-keys). */
export function sharedKeyProblem(key: SharedKey, now: number): { message: string; rc: string } | null {
  if (key.kudos === 0) return { message: "This shared key has run out of kudos.", rc: "SharedKeyEmpty" };
  if (key.expiresAt !== null && key.expiresAt < now)
    return { message: "This shared key has expired", rc: "SharedKeyExpired" };
  return null;
}
