/**
 * The emulator's own admin API (not part of the horde's): users and keys, kudos, horde modes, the
 * requests and jobs with their states, statistics, the clock, reset. Exposed in code as
 * `emulator.admin` and over HTTP under `/_emulator/` (see `admin-routes.ts`).
 */
import { VirtualClock } from "../clock.js";
import { sweep } from "../horde/lifecycle.js";
import type { HordeModes, HordeStore } from "../horde/store/store.js";
import type { CreateUserInput, User, UserPatch } from "../horde/store/users.js";
import {
  type AdminUserView,
  adminUserView,
  collectStats,
  type EmulatorStats,
  type JobSummary,
  listJobs,
  listRequests,
  type RequestSummary,
} from "../horde/views/admin.js";

export type { UserPatch } from "../horde/store/users.js";
export type { AdminUserView } from "../horde/views/admin.js";

/** A user just created: its id, `alias#id` and API key. */
export interface CreatedUser {
  id: number;
  /** `alias#id`. */
  username: string;
  apikey: string;
}

/** The emulator's admin API in code (over HTTP under `/_emulator/`): users and keys, horde modes, statistics, the clock. */
export interface EmulatorAdmin {
  /** Creates a user with a fresh API key. */
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
  /** Sets the balance (booked as admin kudos, docs/server/directory.md#directory `kudos_details.admin`). Throws for an unknown key. */
  setKudos(apikey: string, kudos: number): AdminUserView;
  /** Changes a user's roles, kudos or flags. Throws for an unknown key. */
  updateUser(apikey: string, patch: UserPatch): AdminUserView;
  /** The horde-wide modes of `/v2/status/modes`; maintenance makes the async routes answer 400 (docs/server/errors.md#return-codes). */
  setModes(modes: Partial<HordeModes>): HordeModes;
  /** Puts a worker (by name or id) in or out of maintenance (docs/server/workers.md#pop step 10). */
  setWorkerMaintenance(nameOrId: string, on: boolean): void;
  /** Every request (live, and expired within the last hour) with its outcome and progress. */
  listRequests(): RequestSummary[];
  /** Every job of live requests (image/text jobs and alchemy forms) with its store. */
  listJobs(): JobSummary[];
  /** How many requests were never completed nor cancelled (still active, or expired unfinished). */
  unfinishedCount(): number;
  /** The horde's state in numbers; `orphaned` lists the requests nobody completed nor cancelled. */
  stats(): EmulatorStats;
  /** Advances a virtual clock (throws on the system clock) and returns the new time. */
  advanceClock(ms: number): Promise<number>;
  /**
   * Forgets every request, job, worker, R2 object, user, rate-limit window and fault plan (the dev
   * workers' owner is kept).
   */
  reset(): void;
}

export interface AdminHooks {
  clock: { now(): number };
  /** Runs after the state was reset (keeps the dev-worker owner, clears limiter and faults). */
  afterReset(): void;
}

export function createAdmin(store: HordeStore, hooks: AdminHooks): EmulatorAdmin {
  const need = (apikey: string): User => {
    const u = store.users.findByKey(apikey);
    if (!u) throw new Error("no user with this API key");
    return u;
  };
  const created = (u: User): CreatedUser => ({ id: u.id, username: u.username, apikey: u.apikey });

  return {
    createUser(input) {
      return created(store.users.create({ ...input }));
    },
    seedUser(input) {
      const alias = input.username.trim();
      const existing =
        (input.apikey ? store.users.findByKey(input.apikey) : undefined) ??
        store.users.all().find((u) => !u.anonymous && u.alias === alias);
      return created(existing ?? store.users.create({ ...input }));
    },
    getUser(apikey) {
      const u = store.users.findByKey(apikey);
      return u ? adminUserView(store, u) : null;
    },
    listUsers() {
      return store.users.all().map((u) => ({ ...adminUserView(store, u), apikey: u.apikey }));
    },
    setKudos(apikey, kudos) {
      const u = need(apikey);
      store.users.setKudos(u, kudos);
      return adminUserView(store, u);
    },
    updateUser(apikey, patch) {
      const u = need(apikey);
      store.users.update(u, patch);
      return adminUserView(store, u);
    },
    setModes(modes) {
      return store.setModes(modes);
    },
    setWorkerMaintenance(nameOrId, on) {
      const w = store.workers.findById(nameOrId) ?? store.workers.findByName(nameOrId);
      if (!w) throw new Error(`no worker '${nameOrId}'`);
      store.workers.setMaintenance(w, on);
    },
    listRequests() {
      sweep(store);
      return listRequests(store);
    },
    listJobs() {
      sweep(store);
      return listJobs(store);
    },
    unfinishedCount() {
      sweep(store);
      return collectStats(store).unfinished;
    },
    stats() {
      sweep(store);
      return collectStats(store);
    },
    async advanceClock(ms) {
      const clock = hooks.clock;
      if (!(clock instanceof VirtualClock)) throw new Error("the emulator runs on the system clock");
      await clock.advance(ms);
      return clock.now();
    },
    reset() {
      store.reset();
      hooks.afterReset();
    },
  };
}
