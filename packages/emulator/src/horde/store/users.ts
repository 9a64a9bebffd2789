/** Accounts (docs/server/auth-and-headers.md#auth-and-headers): who they are, their keys, their kudos ledger (docs/server/kudos.md#kudos) and their records. */
import { randomBytes } from "node:crypto";

import { ANONYMOUS_API_KEY } from "horde-sdk/known";

/** The shared anonymous account's key (docs/server/auth-and-headers.md#auth-and-headers). */
export { ANONYMOUS_API_KEY };

/** The actions a user's `kudos_details` books kudos under (docs/server/directory.md#user-details). */
export type KudosSource =
  | "accumulated"
  | "gifted"
  | "donated"
  | "admin"
  | "received"
  | "recurring"
  | "awarded"
  | "styled";

export interface UserRecords {
  usage: { megapixelsteps: number; tokens: number };
  contribution: { megapixelsteps: number; tokens: number };
  fulfillment: { image: number; text: number; interrogation: number };
  request: { image: number; text: number; interrogation: number };
  /** Requests of other users that used this user's styles. */
  style: { image: number; text: number; interrogation: number };
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
  /** In the server's `ADMINS` list: may change kudos, moderators and multipliers, and award kudos (docs/server/directory.md#user-edits). */
  admin: boolean;
  flagged: boolean;
  deleted: boolean;
  service: boolean;
  education: boolean;
  customizer: boolean;
  vpn: boolean;
  /** The `special` role: may request `horde_special::alias#id` models (docs/server/image-requests.md#submit-order). */
  special: boolean;
  pseudonymous: boolean;
  /** Whether the user's workers show their owner to everybody (docs/server/directory.md#directory `/v2/workers`). */
  publicWorkers: boolean;
  contact?: string;
  adminComment?: string;
  proxyPasskey?: string;
  workerInvited: number;
  /** Multiplies the kudos the user's requests cost (set by admins). */
  usageMultiplier: number;
  /** Recurring kudos per month, and when they were last received (epoch ms). */
  monthlyKudos: number;
  monthlyKudosReceivedAt: number | null;
  anonymous: boolean;
  createdAt: number;
  /** The last time the account was used; a deleted user can be wiped 30 days after it. */
  lastActive: number;
  /** Kudos spent on requests and earned by workers, for the admin view. */
  kudosConsumed: number;
  kudosEarned: number;
  kudosDetails: Record<KudosSource, number>;
  records: UserRecords;
}

/** A user to create (`admin.createUser`, `admin.seedUser`, the `users` option): alias, kudos and roles. */
export interface CreateUserInput {
  username: string;
  kudos?: number;
  concurrency?: number;
  trusted?: boolean;
  moderator?: boolean;
  /** One of the server's `ADMINS` (a moderator too). */
  admin?: boolean;
  flagged?: boolean;
  deleted?: boolean;
  service?: boolean;
  education?: boolean;
  customizer?: boolean;
  vpn?: boolean;
  special?: boolean;
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
    | "admin"
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

const NO_KUDOS_DETAILS: Record<KudosSource, number> = {
  accumulated: 0,
  gifted: 0,
  donated: 0,
  admin: 0,
  received: 0,
  recurring: 0,
  awarded: 0,
  styled: 0,
};

const emptyRecords = (): UserRecords => ({
  usage: { megapixelsteps: 0, tokens: 0 },
  contribution: { megapixelsteps: 0, tokens: 0 },
  fulfillment: { image: 0, text: 0, interrogation: 0 },
  request: { image: 0, text: 0, interrogation: 0 },
  style: { image: 0, text: 0, interrogation: 0 },
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
      kudos: Math.round(input.kudos ?? 0),
      kudosFloor: extra.kudosFloor,
      concurrency: input.concurrency ?? DEFAULT_CONCURRENCY,
      trusted: input.trusted ?? false,
      moderator: (input.moderator ?? false) || (input.admin ?? false),
      admin: input.admin ?? false,
      flagged: input.flagged ?? false,
      deleted: input.deleted ?? false,
      service: input.service ?? false,
      education: input.education ?? false,
      customizer: input.customizer ?? false,
      vpn: input.vpn ?? false,
      special: input.special ?? false,
      pseudonymous: input.pseudonymous ?? false,
      publicWorkers: input.publicWorkers ?? false,
      contact: input.contact,
      workerInvited: input.workerInvited ?? 0,
      usageMultiplier: 1,
      monthlyKudos: 0,
      monthlyKudosReceivedAt: null,
      anonymous: extra.anonymous,
      createdAt: this.now(),
      lastActive: this.now(),
      kudosConsumed: 0,
      kudosEarned: 0,
      kudosDetails: { ...NO_KUDOS_DETAILS, admin: Math.round(input.kudos ?? 0) },
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

  /** `alias#id` (or a bare id) → user; the number after the last `#` decides, as on the server. */
  findByUsername(username: string): User | undefined {
    const tail = username.split("#").at(-1) ?? "";
    return /^\d+$/.test(tail.trim()) ? this.byId.get(Number(tail)) : undefined;
  }

  all(): User[] {
    return [...this.byId.values()];
  }

  /** Forgets a user for good (a wipe): their key and id stop resolving. */
  remove(user: User): void {
    this.byKey.delete(user.apikey);
    this.byId.delete(user.id);
  }

  /** Takes kudos (see `modifyKudos`). */
  debit(user: User, amount: number): void {
    // The balance is whole, so it moves by the rounded amount (unless the floor stops it).
    user.kudosConsumed -= wholeKudos(-amount);
    this.modifyKudos(user, -amount, "accumulated");
  }

  credit(user: User, amount: number, source: KudosSource = "accumulated"): void {
    user.kudosEarned += wholeKudos(amount);
    this.modifyKudos(user, amount, source);
  }

  /**
   * One movement of a user's kudos (docs/server/kudos.md#balances): balances and the per-source totals are
   * stored as whole numbers, so each movement lands rounded; the balance never ends below the floor — a
   * debit that would cross it is forgiven, and a balance already below it is lifted by the next movement.
   */
  modifyKudos(user: User, amount: number, source: KudosSource): void {
    user.kudos = Math.max(user.kudosFloor, wholeKudos(user.kudos + amount));
    user.kudosDetails[source] = wholeKudos(user.kudosDetails[source] + amount);
  }

  /** What the user may still commit: the balance above the floor (docs/server/kudos.md#upfront-kudos). */
  spendable(user: User): number {
    return user.kudos - user.kudosFloor;
  }

  /** An admin edit of the account's flags and limits; `kudos` goes through `setKudos`. */
  update(user: User, patch: UserPatch): void {
    const { kudos, ...rest } = patch;
    if (kudos !== undefined) this.setKudos(user, kudos);
    Object.assign(user, rest);
  }

  /** The emulator's admin tool: sets the balance as given (whole), booking the difference as `admin` kudos. */
  setKudos(user: User, kudos: number): void {
    const whole = Math.round(kudos);
    user.kudosDetails.admin += whole - user.kudos;
    user.kudos = whole;
  }
}

/** The database's rounding of kudos into a whole-number column: to 2 decimals, then half away from zero. */
export function wholeKudos(x: number): number {
  const cents = Math.round(Math.abs(x) * 100) / 100;
  return Math.sign(x) * Math.round(cents);
}
