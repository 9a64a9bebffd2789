import { differentialSuite } from "./differential/run.js";
import { limitScenarios } from "./differential/scenarios/limits.js";

differentialSuite("limits", limitScenarios);
