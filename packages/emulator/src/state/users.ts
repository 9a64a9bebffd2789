import { randomBytes } from "node:crypto";
import { ANONYMOUS_API_KEY } from "../http/request.js";

export interface User {
  /** The numeric part of `alias#id`. */
  id: number;
  alias: string;
  /** `alias#id`, as the horde shows it. */
  username: string;
  apikey: string;
  kudos: number;
  /** Lowest balance a debit can push the user to (§9.2): -50 for the anonymous account, 25 otherwise. */
  kudosFloor: number;
  concurrency: number;
  trusted: boolean;
  workerInvited: number;
  anonymous: boolean;
  createdAt: number;
  /** Kudos spent on requests and earned by workers, for the admin view. */
  kudosConsumed: number;
  kudosEarned: number;
}

export interface CreateUserInput {
  username: string;
  kudos?: number;
  concurrency?: number;
  trusted?: boolean;
  workerInvited?: number;
  /** Reuse a known key (the emulator keeps its dev-worker owner's key across `reset()`). */
  apikey?: string;
}

/** Per-user concurrency default (§3.3). */
export const DEFAULT_CONCURRENCY = 30;
/** The anonymous account is created with 500 (§3.3); its budget is shared by every anonymous client. */
export const DEFAULT_ANONYMOUS_CONCURRENCY = 500;

const newApiKey = (): string => randomBytes(16).toString("base64url");

export class Users {
  private byKey = new Map<string, User>();
  private byId = new Map<number, User>();
  private nextId = 1;
  anonymous!: User;

  constructor(
    private readonly anonymousConcurrency: number,
    private readonly now: () => number,
  ) {
    this.reset();
  }

  reset(): void {
    this.byKey.clear();
    this.byId.clear();
    this.nextId = 1;
    // The anonymous key maps to `Anonymous#0` (§4).
    this.anonymous = this.add({
      id: 0,
      alias: "Anonymous",
      apikey: ANONYMOUS_API_KEY,
      kudos: 0,
      kudosFloor: -50,
      concurrency: this.anonymousConcurrency,
      trusted: false,
      workerInvited: 0,
      anonymous: true,
    });
  }

  create(input: CreateUserInput): User {
    const alias = input.username.trim();
    if (alias === "" || alias.includes("#"))
      throw new Error("username must be a non-empty alias without '#'");
    if (input.apikey !== undefined && this.byKey.has(input.apikey)) throw new Error("apikey already in use");
    return this.add({
      id: this.nextId++,
      alias,
      apikey: input.apikey ?? newApiKey(),
      kudos: input.kudos ?? 0,
      kudosFloor: 25,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      trusted: input.trusted ?? false,
      workerInvited: input.workerInvited ?? 0,
      anonymous: false,
    });
  }

  private add(u: Omit<User, "username" | "createdAt" | "kudosConsumed" | "kudosEarned">): User {
    const user: User = {
      ...u,
      username: `${u.alias}#${u.id}`,
      createdAt: this.now(),
      kudosConsumed: 0,
      kudosEarned: 0,
    };
    this.byKey.set(user.apikey, user);
    this.byId.set(user.id, user);
    return user;
  }

  findByKey(apikey: string): User | undefined {
    return this.byKey.get(apikey);
  }

  findById(id: number): User | undefined {
    return this.byId.get(id);
  }

  /** `alias#id` → user; the id decides, as on the server. */
  findByUsername(username: string): User | undefined {
    const id = Number(username.split("#").at(-1));
    return Number.isInteger(id) ? this.byId.get(id) : undefined;
  }

  all(): User[] {
    return [...this.byId.values()];
  }

  /**
   * Takes kudos. A debit that would cross the floor is forgiven down to it (§9.2), so users never run
   * out; a balance already below the floor is not raised.
   */
  debit(user: User, amount: number): void {
    user.kudosConsumed += amount;
    user.kudos = Math.max(Math.min(user.kudos, user.kudosFloor), user.kudos - amount);
  }

  credit(user: User, amount: number): void {
    user.kudos += amount;
    user.kudosEarned += amount;
  }
}
