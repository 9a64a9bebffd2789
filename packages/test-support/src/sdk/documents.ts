// Wire documents as the horde sends them, for tests that script a server.

/** The progress fields of `/check` (and of every status). */
export function progressDoc(overrides: Record<string, unknown> = {}) {
  return {
    finished: 0,
    processing: 0,
    restarted: 0,
    waiting: 1,
    done: false,
    faulted: false,
    wait_time: 5,
    queue_position: 1,
    kudos: 3,
    is_possible: true,
    ...overrides,
  };
}

/** A worker id as the contract shapes it (36 characters). */
export const WORKER_ID = "5f1a2b3c-0000-4000-8000-00000000000a";

/** One delivered image of an image status. */
export function imageGenerationDoc(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    img: `https://r2.example/${id}.webp`,
    seed: "12345",
    model: "stable_diffusion",
    state: "ok",
    worker_id: WORKER_ID,
    worker_name: "w1",
    censored: false,
    gen_metadata: [],
    ...overrides,
  };
}

/** A finished image status delivering `ids`. */
export function imageStatusDoc(ids: string[], overrides: Record<string, unknown> = {}) {
  return {
    ...progressDoc({ waiting: 0, done: true, wait_time: 0, queue_position: 0, kudos: 13 }),
    finished: ids.length,
    generations: ids.map((id) => imageGenerationDoc(id)),
    shared: false,
    ...overrides,
  };
}

/** One delivered text of a text status. */
export function textGenerationDoc(text: string, overrides: Record<string, unknown> = {}) {
  return {
    text,
    seed: 1,
    worker_id: "w".repeat(36),
    worker_name: "w",
    model: "m",
    state: "ok",
    ...overrides,
  };
}

/** One form of an alchemy status. */
export function alchemyFormDoc(form: string, state: string, result: Record<string, unknown> = {}) {
  return { form, state, result };
}
