import { differentialSuite } from "./differential/run.js";
import { workerScenarios } from "./differential/scenarios/worker.js";

differentialSuite("worker", workerScenarios);
