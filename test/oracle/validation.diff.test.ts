import { differentialSuite } from "./differential/run.js";
import { validationScenarios } from "./differential/scenarios/validation.js";

differentialSuite("validation", validationScenarios);
