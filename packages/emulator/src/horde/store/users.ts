/** Accounts (docs/server/auth-and-headers.md#auth-and-headers): who they are, their keys, their kudos ledger (docs/server/kudos.md#kudos) and their records. */
import { randomBytes } from "node:crypto";

/** The shared anonymous account's key (docs/server/auth-and-headers.md#auth-and-headers). */
export const ANONYMOUS_API_KEY = "0000000000";

export type KudosSource = "accumulated" | "admin" | "awarded" | "recurring";

export interface UserRecords {
  usage: { megapixelsteps: number; tokens: number };
  contribution: { megapixelsteps: number; tokens: number };
  fulfillment: { image: number; text: number; interrogation: number };
  request: { image: number; text: number; interrogation: number };
}

export interface User {
  /** The numeric part of `alias#id`. */
  id: number;
  alias: string;
  /** `alias#id`, as the horde shows it. */
  username: string;
  apikey: string;
  kudos: number;
  /** Lowest balance a debit can push the user to (docs/server/kudos.md#charge-and-reward): 25, 14 for pseudonymous, -50 for anonymous. */
  kudosFloor: number;
  concurrency: number;
  trusted: boolean;
  moderator: boolean;
  flagged: boolean;
  deleted: boolean;
  service: boolean;
  education: boolean;
  customizer: boolean;
  /** The `special` role: may request `horde_special::alias#id` models (docs/server/image-requests.md#submit-order). */
  special?: boolean;
  pseudonymous: boolean;
  /** Whether the user's workers show their owner to everybody (docs/server/directory.md#directory `/v2/workers`). */
  publicWorkers: boolean;
  contact?: string;
  workerInvited: number;
  anonymous: boolean;
  createdAt: number;
  /** Kudos spent on requests and earned by workers, for the admin view. */
  kudosConsumed: number;
  kudosEarned: number;
  kudosDetails: Record<KudosSource, number>;
  records: UserRecords;
}

export interface CreateUserInput {
  username: string;
  kudos?: number;
  concurrency?: number;
  trusted?: boolean;
  moderator?: boolean;
  flagged?: boolean;
  deleted?: boolean;
  service?: boolean;
  education?: boolean;
  customizer?: boolean;
  /** A pseudonymous (UUID-id) account: its floor is 14 instead of 25 (docs/server/kudos.md#charge-and-reward). */
  pseudonymous?: boolean;
  publicWorkers?: boolean;
  contact?: string;
  workerInvited?: number;
  /** Reuse a known key (the emulator keeps its dev-worker owner's key across `reset()`). */
  apikey?: string;
}

/** What an admin may change on an account. */
export type UserPatch = Partial<
  Pick<
    User,
    | "kudos"
    | "concurrency"
    | "trusted"
    | "moderator"
    | "flagged"
    | "deleted"
    | "service"
    | "education"
    | "customizer"
    | "workerInvited"
    | "publicWorkers"
  >
>;

/** Per-user concurrency default (docs/server/rate-limits.md#concurrency). */
export const DEFAULT_CONCURRENCY = 30;
/** The anonymous account is created with 500 (docs/server/rate-limits.md#concurrency); its budget is shared by every anonymous client. */
export const DEFAULT_ANONYMOUS_CONCURRENCY = 500;

const newApiKey = (): string => randomBytes(16).toString("base64url");

const emptyRecords = (): UserRecords => ({
  usage: { megapixelsteps: 0, tokens: 0 },
  contribution: { megapixelsteps: 0, tokens: 0 },
  fulfillment: { image: 0, text: 0, interrogation: 0 },
  request: { image: 0, text: 0, interrogation: 0 },
});

export class Users {
  private byKey = new Map<string, User>();
  private byId = new Map<number, User>();
  private nextId = 1;

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
    // The anonymous key maps to `Anonymous#0` (docs/server/auth-and-headers.md#auth-and-headers).
    this.add(
      {
        username: "Anonymous",
        apikey: ANONYMOUS_API_KEY,
        concurrency: this.anonymousConcurrency,
        publicWorkers: true,
      },
      0,
      { anonymous: true, kudosFloor: -50 },
    );
  }

  create(input: CreateUserInput): User {
    const alias = input.username.trim();
    if (alias === "" || alias.includes("#"))
      throw new Error("username must be a non-empty alias without '#'");
    if (input.apikey !== undefined && this.byKey.has(input.apikey)) throw new Error("apikey already in use");
    return this.add({ ...input, username: alias }, this.nextId++, {
      anonymous: false,
      kudosFloor: input.pseudonymous ? 14 : 25,
    });
  }

  private add(input: CreateUserInput, id: number, extra: { anonymous: boolean; kudosFloor: number }): User {
    const user: User = {
      id,
      alias: input.username,
      username: `${input.username}#${id}`,
      apikey: input.apikey ?? newApiKey(),
      kudos: input.kudos ?? 0,
      kudosFloor: extra.kudosFloor,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      trusted: input.trusted ?? false,
      moderator: input.moderator ?? false,
      flagged: input.flagged ?? false,
      deleted: input.deleted ?? false,
      service: input.service ?? false,
      education: input.education ?? false,
      customizer: input.customizer ?? false,
      pseudonymous: input.pseudonymous ?? false,
      publicWorkers: input.publicWorkers ?? false,
      contact: input.contact,
      workerInvited: input.workerInvited ?? 0,
      anonymous: extra.anonymous,
      createdAt: this.now(),
      kudosConsumed: 0,
      kudosEarned: 0,
      kudosDetails: { accumulated: 0, admin: input.kudos ?? 0, awarded: 0, recurring: 0 },
      records: emptyRecords(),
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

  /** Takes kudos (see `move`). */
  debit(user: User, amount: number): void {
    user.kudosConsumed += amount;
    this.move(user, -amount, "accumulated");
  }

  credit(user: User, amount: number, source: KudosSource = "accumulated"): void {
    user.kudosEarned += amount;
    this.move(user, amount, source);
  }

  /**
   * One movement of a user's kudos (docs/server/kudos.md#balances): balances and the per-source totals are
   * stored as whole numbers, so each movement lands rounded; the balance never ends below the floor — a
   * debit that would cross it is forgiven, and a balance already below it is lifted by the next movement.
   */
  private move(user: User, amount: number, source: KudosSource): void {
    user.kudos = Math.max(user.kudosFloor, wholeKudos(user.kudos + amount));
    user.kudosDetails[source] = wholeKudos(user.kudosDetails[source] + amount);
  }

  /** An admin edit of the account's flags and limits; `kudos` goes through `setKudos`. */
  update(user: User, patch: UserPatch): void {
    const { kudos, ...rest } = patch;
    if (kudos !== undefined) this.setKudos(user, kudos);
    Object.assign(user, rest);
  }

  /** An admin adjustment: sets the balance, booking the difference as `admin` kudos. */
  setKudos(user: User, kudos: number): void {
    user.kudosDetails.admin += kudos - user.kudos;
    user.kudos = kudos;
  }
}

/** The database's rounding of kudos into a whole-number column: to 2 decimals, then half away from zero. */
export function wholeKudos(x: number): number {
  const cents = Math.round(Math.abs(x) * 100) / 100;
  return Math.sign(x) * Math.round(cents);
}
