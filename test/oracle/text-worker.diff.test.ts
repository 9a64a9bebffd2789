import { differentialSuite } from "./differential/run.js";
import { textWorkerScenarios } from "./differential/scenarios/text-worker.js";

differentialSuite("text-worker", textWorkerScenarios);
