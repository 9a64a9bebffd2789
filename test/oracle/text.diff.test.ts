import { differentialSuite } from "./differential/run.js";
import { textScenarios } from "./differential/scenarios/text.js";

differentialSuite("text", textScenarios);
