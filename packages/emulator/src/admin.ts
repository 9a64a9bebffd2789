/** The emulator's own admin API (not part of the horde's): users and keys, statistics, reset. */
import type { HordeState } from "./state/horde.js";
import { sweep } from "./state/lifecycle.js";
import { collectStats, type EmulatorStats } from "./state/stats.js";
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
  workerInvited: number;
  anonymous: boolean;
  workerCount: number;
  /** Kudos spent on requests, and earned by the user's workers. */
  kudosConsumed: number;
  kudosEarned: number;
}

export interface EmulatorAdmin {
  createUser(input: Omit<CreateUserInput, "apikey">): CreatedUser;
  /** The user behind a key (the anonymous key `0000000000` included), or null. */
  getUser(apikey: string): AdminUserView | null;
  stats(): EmulatorStats;
  /** Forgets every request, job, worker, R2 object and user (the dev workers' owner is kept). */
  reset(): void;
}

function userView(state: HordeState, u: User): AdminUserView {
  return {
    id: u.id,
    username: u.username,
    kudos: Math.round(u.kudos * 100) / 100,
    concurrency: u.concurrency,
    trusted: u.trusted,
    workerInvited: u.workerInvited,
    anonymous: u.anonymous,
    workerCount: state.workers.ownedBy(u.id).length,
    kudosConsumed: Math.round(u.kudosConsumed * 100) / 100,
    kudosEarned: Math.round(u.kudosEarned * 100) / 100,
  };
}

export function createAdmin(state: HordeState, afterReset: () => void): EmulatorAdmin {
  return {
    createUser(input) {
      const u = state.users.create({ ...input });
      return { id: u.id, username: u.username, apikey: u.apikey };
    },
    getUser(apikey) {
      const u = state.users.findByKey(apikey);
      return u ? userView(state, u) : null;
    },
    stats() {
      sweep(state);
      return collectStats(state);
    },
    reset() {
      state.reset();
      afterReset();
    },
  };
}
