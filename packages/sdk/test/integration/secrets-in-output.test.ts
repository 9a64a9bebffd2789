// The API key must not surface anywhere the SDK writes: logs, errors, dumps.

import { createEmulator, VirtualClock } from "horde-emulator";
import {
  AIHordeAPIClient,
  ImageGenerateAsyncRequest,
  ImageGenerateStatusRequest,
  parseWebhook,
  toSourceImage,
} from "horde-sdk";
import { capturingLogger, dumpError } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const BASE = "http://horde.test/api";

describe("the API key never leaks", () => {
  it("not in debug logs, errors or dumps across a whole lifecycle and failures", async () => {
    const clock = new VirtualClock({ autoAdvance: true });
    const emu = createEmulator({ clock, devWorkers: 1 });
    try {
      const user = emu.admin.createUser({ username: "secretive", kudos: 1000 });
      const lines: string[] = [];
      const client = new AIHordeAPIClient({
        baseUrl: BASE,
        apiKey: user.apikey,
        fetch: emu.fetch,
        clock,
        logger: capturingLogger(lines),
      });
      const seen: string[] = [];

      const result = await client.generateImage({ prompt: "p", params: { width: 64, height: 64 } });
      seen.push(JSON.stringify(result.status.logSafeModelDump()));
      seen.push(
        dumpError(await client.submitRequest(new ImageGenerateStatusRequest({ id: "nope" })).catch((e) => e)),
      );
      const wrongKey = new AIHordeAPIClient({
        baseUrl: BASE,
        apiKey: `${user.apikey}x`,
        fetch: emu.fetch,
        clock,
        logger: capturingLogger(lines),
      });
      seen.push(dumpError(await wrongKey.generateImage({ prompt: "p" }).catch((e) => e)));
      const request = new ImageGenerateAsyncRequest({ prompt: "p", apikey: user.apikey });
      seen.push(JSON.stringify(request.logSafeModelDump()));
      seen.push(
        dumpError(await client.generateImage({ prompt: "p", params: { width: 500 } }).catch((e) => e)),
      );

      expect(lines.some((l) => l.startsWith("debug"))).toBe(true); // the logger did receive the traffic
      for (const text of [...lines, ...seen]) {
        expect(text).not.toContain(user.apikey);
      }
    } finally {
      await emu.close();
    }
  });
});

describe("toSourceImage", () => {
  it("takes bytes, ArrayBuffer, Blob, base64, data URLs and http URLs", async () => {
    const bytes = new Uint8Array([82, 73, 70, 70, 1, 2, 3]);
    expect(await toSourceImage(bytes)).toBe("UklGRgECAw==");
    expect(await toSourceImage(bytes.buffer)).toBe("UklGRgECAw==");
    expect(await toSourceImage(new Blob([bytes]))).toBe("UklGRgECAw==");
    expect(await toSourceImage("data:image/webp;base64,UklGRgECAw==")).toBe("UklGRgECAw==");
    expect(await toSourceImage(" https://example.com/a.webp ")).toBe("https://example.com/a.webp");
  });
});

describe("parseWebhook", () => {
  const image = {
    id: "g1",
    request: "r1",
    img: "https://r2/x.webp",
    seed: 42,
    worker_id: "w",
    worker_name: "n",
    model: "m",
    censored: false,
    gen_metadata: [],
    kudos: 10,
  };
  it("reads image and text deliveries into typed objects", () => {
    const parsed = parseWebhook(JSON.stringify(image));
    expect(parsed).toMatchObject({ kind: "image", request: "r1", seed: "42" });
    const text = parseWebhook({
      id: "g2",
      request: "r2",
      text: "hello",
      worker_id: "w",
      worker_name: "n",
      model: "m",
    });
    expect(text).toMatchObject({ kind: "text", text: "hello" });
  });
  it("names the missing field", () => {
    const { request: _, ...noRequest } = image;
    expect(() => parseWebhook(noRequest)).toThrow(/request/);
  });
});
