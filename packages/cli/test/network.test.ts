import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { run, tempDir } from "./helpers.js";

/** A local port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("server and network errors: exit 3, one line, a hint at --local", () => {
  it("port 9 (closed, and refused by fetch)", async () => {
    const out = await tempDir();
    const r = await run([
      "generate",
      "a cat",
      "--out",
      out,
      "--url",
      "http://127.0.0.1:9/api",
      "--timeout",
      "2",
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(/^horde: cannot reach http:\/\/127\.0\.0\.1:9\/api: .*try --local/);
  });

  it("a refused connection, retried by the SDK until --timeout", async () => {
    const port = await closedPort();
    const started = Date.now();
    const out = await tempDir();
    const r = await run([
      "generate",
      "a cat",
      "--out",
      out,
      "--url",
      `http://127.0.0.1:${port}/api`,
      "--timeout",
      "1",
    ]);
    expect(r.code).toBe(3);
    expect(r.errLines).toHaveLength(1);
    expect(r.errLines[0]).toMatch(
      new RegExp(`^horde: cannot reach http://127\\.0\\.0\\.1:${port}/api.*ECONNREFUSED.*--local`),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
