import { differentialSuite } from "./differential/run.js";
import { workerProtocolScenarios } from "./differential/scenarios/worker-protocol.js";

differentialSuite("worker-protocol", workerProtocolScenarios);
