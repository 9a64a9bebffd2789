// Webhooks over real sockets: `horde serve`'s emulator delivers to a node:http server running the SDK's
// webhookListener, for an image made by the SDK's generateImage and an alchemy caption by runAlchemy.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmulator, type Emulator, silentLogger } from "horde-emulator";
import { AIHordeAPIClient, type HordeWebhook, silentLogger as sdkSilent } from "horde-sdk";
import { webhookListener } from "horde-sdk/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const KEY = "webhooks-over-http-key";
let emulator: Emulator;
let server: Server;
let hookUrl: string;
let client: AIHordeAPIClient;
const deliveries: HordeWebhook[] = [];

beforeAll(async () => {
  emulator = createEmulator({
    logger: silentLogger,
    devWorkers: [{ type: "image" }, { type: "alchemy" }],
    devWorkerSpeed: 20,
    users: [{ username: "hooked", kudos: 10_000, apikey: KEY }],
  });
  const { url } = await emulator.listen({ port: 0, host: "127.0.0.1" });
  server = createServer(webhookListener({ onDelivery: (d) => void deliveries.push(d) }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/horde-hook`;
  client = new AIHordeAPIClient({ baseUrl: url, apiKey: KEY, logger: sdkSilent });
});
afterAll(async () => {
  await emulator?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe("webhooks over HTTP", () => {
  it("an image job is delivered to the listener with the same image the client downloaded", {
    timeout: 30_000,
  }, async () => {
    const job = await client.submitImage({
      prompt: "a lighthouse at dusk",
      params: { width: 64, height: 64, steps: 5 },
      webhook: hookUrl,
    });
    const result = await job.wait();
    await emulator.webhooks.settled();
    const generation = result.status.generations?.[0];
    const hook = deliveries.find((d) => d.request === job.id);
    expect(hook).toMatchObject({ kind: "image", id: generation?.id, worker_name: generation?.worker_name });
    // r2 requests carry a download URL: the very picture the client downloaded.
    const img = hook?.kind === "image" ? hook.img : "";
    const bytes = new Uint8Array(await (await fetch(img)).arrayBuffer());
    expect(bytes).toEqual(result.images[0]?.bytes);
  });

  it("an alchemy caption: runAlchemy resolves and the delivery names the form", {
    timeout: 30_000,
  }, async () => {
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    const done = await client.runAlchemy({
      forms: [{ name: "caption" }],
      source_image: png.toString("base64"),
      webhook: hookUrl,
    });
    const caption = deliveries.find((d) => d.kind === "alchemy");
    expect(caption).toMatchObject({ kind: "alchemy", form: "caption", state: "done" });
    expect(caption?.kind === "alchemy" && caption.result).toEqual(done.forms[0]?.result);
    expect(emulator.webhooks.outcomes()).toMatchObject({ giveup: 0, dropped: 0 });
  });
});
