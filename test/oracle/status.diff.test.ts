import { differentialSuite } from "./differential/run.js";
import { statusScenarios } from "./differential/scenarios/status.js";

differentialSuite("status", statusScenarios);
