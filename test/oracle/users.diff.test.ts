import { differentialSuite } from "./differential/run.js";
import { userScenarios } from "./differential/scenarios/users.js";

differentialSuite("users", userScenarios);
