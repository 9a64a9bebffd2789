// @ts-check
// The tiny runner behind every example: `node examples/<name>.js [--local] [args…]`.
//   --local  runs against an in-process AI Horde emulator (offline, with dev workers and a test user);
//   without it, the real AI Horde (or HORDE_URL) with HORDE_API_KEY (default: the anonymous key).
// Ctrl-C aborts the example's signal: whatever it started on the server is cancelled.
import { pathToFileURL } from "node:url";
import { AIHordeAPIClient } from "horde-sdk";

/** The key of the user the runner creates on the local emulator (a worker needs a registered user). */
export const LOCAL_API_KEY = "example-local-key-0123456789";
export const CLIENT_AGENT = "horde-sdk-examples:1.0:https://www.npmjs.com/package/horde-sdk";

/**
 * @typedef {object} ExampleContext
 * @property {AIHordeAPIClient} client  the client to use
 * @property {AbortSignal} [signal]     aborted on Ctrl-C
 * @property {(line: string) => void} [log]  where progress goes (default stderr)
 * @property {string[]} [args]          the command-line arguments after the flags
 */

/**
 * Runs `main` when the file is executed directly (not when a test imports it).
 * @param {(context: ExampleContext) => Promise<unknown>} main
 * @param {string} moduleUrl  the example's `import.meta.url`
 */
export async function runIfMain(main, moduleUrl) {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(entry).href !== moduleUrl) return;
  const argv = process.argv.slice(2);
  const local = argv.includes("--local");
  const args = argv.filter((a) => a !== "--local");
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("interrupted (Ctrl-C)")));
  /** @type {{ close(): Promise<void> } | undefined} */
  let emulator;
  let client;
  if (local) {
    const { createEmulator } = await import("horde-emulator");
    const emu = createEmulator({
      devWorkers: 1, // one image, one text and one alchemy dev worker
      users: [{ username: "example", kudos: 1000, apikey: LOCAL_API_KEY }],
      logger: {},
    });
    emulator = emu;
    client = new AIHordeAPIClient({
      baseUrl: "http://horde.local/api",
      apiKey: LOCAL_API_KEY,
      clientAgent: CLIENT_AGENT,
      fetch: emu.fetch,
    });
  } else {
    client = new AIHordeAPIClient({
      baseUrl: process.env.HORDE_URL || undefined,
      apiKey: process.env.HORDE_API_KEY || undefined,
      clientAgent: CLIENT_AGENT,
    });
  }
  try {
    const result = await main({ client, signal: controller.signal, args });
    console.log(JSON.stringify(result, null, 2));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await emulator?.close();
  }
}
