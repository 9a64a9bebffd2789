#!/usr/bin/env node
// Thin launcher so the bin exists (and is executable) before `tsc -b` has built dist/.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv);
