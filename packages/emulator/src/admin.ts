/**
 * The emulator's own admin API (not part of the horde's): users and keys, kudos, horde modes, the
 * requests and jobs with their states, statistics, the clock, reset. Exposed in code as
 * `emulator.admin` and over HTTP under `/_emulator/` (see `routes/admin.ts`).
 */
import { VirtualClock } from "./clock.js";
import type { HordeModes, HordeState } from "./state/horde.js";
import { sweep } from "./state/lifecycle.js";
import {
  collectStats,
  type EmulatorStats,
  type JobSummary,
  listJobs,
  listRequests,
  type RequestSummary,
} from "./state/stats.js";
import type { CreateUserInput, User } from "./state/users.js";

export interface CreatedUser {
  id: number;
  /** `alias#id`. */
  username: string;
  apikey: string;
}

export interface AdminUserView {
  id: number;
  username: string;
  kudos: number;
  concurrency: number;
  trusted: boolean;
  moderator: boolean;
  flagged: boolean;
  deleted: boolean;
  workerInvited: number;
  anonymous: boolean;
  workerCount: number;
  /** Kudos spent on requests, and earned by the user's workers. */
  kudosConsumed: number;
  kudosEarned: number;
}

/** What `updateUser` may change. */
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

export interface EmulatorAdmin {
  createUser(input: Omit<CreateUserInput, "apikey">): CreatedUser;
  /**
   * Creates the user unless one with this alias exists already (then returns it, unchanged): safe to run
   * on every start of a server. With `apikey`, the user gets that key (e.g. one a test suite knows).
   */
  seedUser(input: CreateUserInput): CreatedUser;
  /** The user behind a key (the anonymous key `0000000000` included), or null. */
  getUser(apikey: string): AdminUserView | null;
  /** Every user with their key (the anonymous account included). */
  listUsers(): (AdminUserView & { apikey: string })[];
  /** Sets the balance (booked as admin kudos, §7 `kudos_details.admin`). Throws for an unknown key. */
  setKudos(apikey: string, kudos: number): AdminUserView;
  updateUser(apikey: string, patch: UserPatch): AdminUserView;
  /** The horde-wide modes of `/v2/status/modes`; maintenance makes the async routes answer 400 (§8.3). */
  setModes(modes: Partial<HordeModes>): HordeModes;
  /** Puts a worker (by name or id) in or out of maintenance (§5.1 step 10). */
  setWorkerMaintenance(nameOrId: string, on: boolean): void;
  /** Every request (live and expired) with its outcome and progress. */
  listRequests(): RequestSummary[];
  /** Every job of live requests (image/text jobs and alchemy forms) with its state. */
  listJobs(): JobSummary[];
  /** How many requests were never completed nor cancelled (still active, or expired unfinished). */
  unfinishedCount(): number;
  stats(): EmulatorStats;
  /** Advances a virtual clock (throws on the system clock) and returns the new time. */
  advanceClock(ms: number): Promise<number>;
  /**
   * Forgets every request, job, worker, R2 object, user, rate-limit window and fault plan (the dev
   * workers' owner is kept).
   */
  reset(): void;
}

function userView(state: HordeState, u: User): AdminUserView {
  return {
    id: u.id,
    username: u.username,
    kudos: Math.round(u.kudos * 100) / 100,
    concurrency: u.concurrency,
    trusted: u.trusted,
    moderator: u.moderator,
    flagged: u.flagged,
    deleted: u.deleted,
    workerInvited: u.workerInvited,
    anonymous: u.anonymous,
    workerCount: state.workers.ownedBy(u.id).length,
    kudosConsumed: Math.round(u.kudosConsumed * 100) / 100,
    kudosEarned: Math.round(u.kudosEarned * 100) / 100,
  };
}

export interface AdminHooks {
  clock: { now(): number };
  /** Runs after the state was reset (keeps the dev-worker owner, clears limiter and faults). */
  afterReset(): void;
}

export function createAdmin(state: HordeState, hooks: AdminHooks): EmulatorAdmin {
  const need = (apikey: string): User => {
    const u = state.users.findByKey(apikey);
    if (!u) throw new Error("no user with this API key");
    return u;
  };
  const created = (u: User): CreatedUser => ({ id: u.id, username: u.username, apikey: u.apikey });

  return {
    createUser(input) {
      return created(state.users.create({ ...input }));
    },
    seedUser(input) {
      const alias = input.username.trim();
      const existing =
        (input.apikey ? state.users.findByKey(input.apikey) : undefined) ??
        state.users.all().find((u) => !u.anonymous && u.alias === alias);
      return created(existing ?? state.users.create({ ...input }));
    },
    getUser(apikey) {
      const u = state.users.findByKey(apikey);
      return u ? userView(state, u) : null;
    },
    listUsers() {
      return state.users.all().map((u) => ({ ...userView(state, u), apikey: u.apikey }));
    },
    setKudos(apikey, kudos) {
      const u = need(apikey);
      state.users.setKudos(u, kudos);
      return userView(state, u);
    },
    updateUser(apikey, patch) {
      const u = need(apikey);
      const { kudos, ...rest } = patch;
      if (kudos !== undefined) state.users.setKudos(u, kudos);
      Object.assign(u, rest);
      return userView(state, u);
    },
    setModes(modes) {
      for (const k of ["maintenance", "inviteOnly", "raid"] as const) {
        if (typeof modes[k] === "boolean") state.modes[k] = modes[k];
      }
      return { ...state.modes };
    },
    setWorkerMaintenance(nameOrId, on) {
      const w = state.workers.findById(nameOrId) ?? state.workers.findByName(nameOrId);
      if (!w) throw new Error(`no worker '${nameOrId}'`);
      w.maintenance = on;
    },
    listRequests() {
      sweep(state);
      return listRequests(state);
    },
    listJobs() {
      sweep(state);
      return listJobs(state);
    },
    unfinishedCount() {
      sweep(state);
      return collectStats(state).unfinished;
    },
    stats() {
      sweep(state);
      return collectStats(state);
    },
    async advanceClock(ms) {
      const clock = hooks.clock;
      if (!(clock instanceof VirtualClock)) throw new Error("the emulator runs on the system clock");
      await clock.advance(ms);
      return clock.now();
    },
    reset() {
      state.reset();
      hooks.afterReset();
    },
  };
}
