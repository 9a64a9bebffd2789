import { differentialSuite } from "./differential/run.js";
import { alchemyScenarios } from "./differential/scenarios/alchemy.js";

differentialSuite("alchemy", alchemyScenarios);
