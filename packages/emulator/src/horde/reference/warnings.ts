/**
 * The warnings a generation request's 202 may carry (docs/server/image-requests.md#warnings): the server's
 * codes and messages (its `WarningMessage` enum), one message per code whatever the model.
 */

export interface Warning {
  code: string;
  message: string;
}

/** The server's warning messages by code (its `WarningMessage` enum). */
export const WARNING_MESSAGES = {
  NoAvailableWorker:
    "Warning: No available workers can fulfill this request. It will expire in 20 minutes unless a worker " +
    "appears. Please confider reducing its size of the request or choosing a different model.",
  ClipSkipMismatch:
    "The clip skip specified for this generation does not match the requirements of one of the requested models.",
  StepsTooFew: "The steps specified for this generation are too few for this model.",
  StepsTooMany: "The steps specified for this generation are too many for this model.",
  CfgScaleMismatch:
    "The cfg scale specified for this generation does not match the requirements of one of the requested models.",
  CfgScaleTooSmall: "The cfg_scale specified for this generation is too small for this model.",
  CfgScaleTooLarge: "The cfg_scale specified for this generation is too large for this model.",
  SamplerMismatch: "The requested sampler does not match the requirements for one of the requested models.",
  SchedulerMismatch:
    "The requested scheduler does not match the requirements for one of the requested models.",
} as const;

export type WarningCode = keyof typeof WARNING_MESSAGES;

export const warning = (code: WarningCode): Warning => ({ code, message: WARNING_MESSAGES[code] });
