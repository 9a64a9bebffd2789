/** `horde … | head`: a reader that goes away early never crashes the CLI with an EPIPE stack trace. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/horde.js", import.meta.url));

it("keeps quiet and exits 0 when stdout's reader has gone before it writes", async () => {
  const child = spawn(process.execPath, [BIN, "generate", "--help"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  // Close the pipe before the help is written, as `horde … | head -1` does to the rest of a long output.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(code).toBe(0);
});
