import { differentialSuite } from "./differential/run.js";
import { imageScenarios } from "./differential/scenarios/image.js";

differentialSuite("image", imageScenarios);
