import { differentialSuite } from "./differential/run.js";
import { webhookScenarios } from "./differential/scenarios/webhooks.js";

differentialSuite("webhooks", webhookScenarios);
