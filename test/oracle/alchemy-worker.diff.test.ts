import { differentialSuite } from "./differential/run.js";
import { alchemyWorkerScenarios } from "./differential/scenarios/alchemy-worker.js";

differentialSuite("alchemy-worker", alchemyWorkerScenarios);
