import * as z from "zod";

/**
 * The progress fields of `/check` and `/status` (swagger `RequestStatusCheck`; horde_sdk's
 * ResponseGenerationProgressInfoMixin).
 * QUIRK(docs/server/image-requests.md#check): the contract marks them all optional, but the server always
 * sends every one,
 * and a client cannot decide anything without them, so our models require them — except where the seed's
 * source gives a default: `faulted` is false and `is_possible` true when absent.
 * Counts are integers; `wait_time` and `kudos` are read as plain numbers (the server rounds them, and a
 * fractional value must not make a finished job unreadable).
 */
export const progressShape = {
  finished: z.number().int(),
  processing: z.number().int(),
  restarted: z.number().int(),
  waiting: z.number().int(),
  done: z.boolean(),
  faulted: z.boolean().default(false),
  wait_time: z.number(),
  queue_position: z.number().int(),
  kudos: z.number(),
  is_possible: z.boolean().default(true),
};

export type ProgressFields = {
  readonly [K in keyof typeof progressShape]: z.output<(typeof progressShape)[K]>;
};
