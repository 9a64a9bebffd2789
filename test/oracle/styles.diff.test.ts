import { differentialSuite } from "./differential/run.js";
import { styleScenarios } from "./differential/scenarios/styles.js";

differentialSuite("styles", styleScenarios);
