import * as z from "zod";

/**
 * The progress fields of `/check` and `/status` (swagger `RequestStatusCheck`).
 * QUIRK(ai-horde-api §1.2): the contract marks them all optional, but the server always sends every one,
 * and a client cannot decide anything without them, so our models require them.
 * Counts are integers; `wait_time` and `kudos` are read as plain numbers (the server rounds them, and a
 * fractional value must not make a finished job unreadable).
 */
export const progressShape = {
  finished: z.number().int(),
  processing: z.number().int(),
  restarted: z.number().int(),
  waiting: z.number().int(),
  done: z.boolean(),
  faulted: z.boolean(),
  wait_time: z.number(),
  queue_position: z.number().int(),
  kudos: z.number(),
  is_possible: z.boolean(),
};

export type ProgressFields = {
  readonly [K in keyof typeof progressShape]: z.output<(typeof progressShape)[K]>;
};
