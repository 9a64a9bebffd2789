import { differentialSuite } from "./differential/run.js";
import { modeScenarios } from "./differential/scenarios/modes.js";

differentialSuite("modes", modeScenarios);
