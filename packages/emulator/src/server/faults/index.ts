export { type FaultCounts, type FaultDecision, type FaultEvent, FaultInjector } from "./injector.js";
export { checkPlan, FAULT_KINDS, type FaultKind, type FaultPlan, type FaultRule } from "./plan.js";
export {
  ConnectionDropped,
  connectionResetError,
  errorResponse,
  htmlResponse,
  malformed,
  rateLimitResponse,
} from "./responses.js";
