// Text and alchemy jobs end to end against the emulator, with a small worker written on the SDK's own
// worker models (pop → submit) so both sides of the protocol are exercised.

import type { VirtualClock } from "horde-emulator";
import {
  type AIHordeAPIClient,
  AlchemyJobSubmitRequest,
  AlchemyPopRequest,
  HordeAbortError,
  TextGenerateJobPopRequest,
  TextGenerationJobSubmitRequest,
} from "horde-sdk";
import { TINY_WEBP } from "horde-test-support/emulator";
import { emulatorClient } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

function setup() {
  const methods: string[] = [];
  const { emu, client, clock, otherClient } = emulatorClient({
    onFetch: (call) => methods.push(`${call.method} ${new URL(call.url).pathname}`),
  });
  const owner = emu.admin.createUser({ username: "worker-owner", workerInvited: 2 });
  return { client, worker: otherClient(owner.apikey), clock, methods };
}

/** Pop text jobs until `count` have been served, answering each with a text derived from its prompt. */
async function serveText(worker: AIHordeAPIClient, clock: VirtualClock, count: number): Promise<void> {
  let served = 0;
  while (served < count) {
    const pop = await worker.submitRequest(
      new TextGenerateJobPopRequest({
        name: "text-worker",
        models: ["koboldcpp/test-model"],
        max_length: 512,
        max_context_length: 4096,
        amount: 1,
      }),
    );
    for (const id of pop.jobIds) {
      const prompt = String((pop as { payload?: { prompt?: string } }).payload?.prompt ?? "");
      await worker.submitRequest(
        new TextGenerationJobSubmitRequest({ id, generation: `echo: ${prompt}`, seed: 1 }),
      );
      served++;
    }
    if (pop.jobIds.length === 0) await clock.sleep(1000);
  }
}

describe("text jobs", () => {
  it("generateText completes on n generations and returns the texts", async () => {
    const { client, worker, clock, methods } = setup();
    const [result] = await Promise.all([
      client.generateText({
        prompt: "Once upon a time",
        params: { n: 2, max_length: 32 },
        models: ["koboldcpp/test-model"],
      }),
      serveText(worker, clock, 2),
    ]);
    expect(result.texts).toEqual(["echo: Once upon a time", "echo: Once upon a time"]);
    expect(result.generations[0]?.model).toBe("koboldcpp/test-model");
    expect(methods.filter((m) => m.includes("/check/"))).toEqual([]); // text has no /check
    expect(methods.filter((m) => m.startsWith("DELETE"))).toEqual([]);
  });

  it("an abort cancels the text request on the server", async () => {
    const { client } = setup();
    const controller = new AbortController();
    const job = await client.submitText({ prompt: "never served", models: ["koboldcpp/test-model"] });
    const waiting = job.wait({ signal: controller.signal, onProgress: () => controller.abort() });
    const error = await waiting.catch((e) => e);
    expect(error).toBeInstanceOf(HordeAbortError);
    expect(job.state).toBe("cancelled");
  });
});

describe("alchemy jobs", () => {
  it("runAlchemy waits for every form and returns their results", async () => {
    const { client, worker, clock } = setup();
    // A base64 source: a URL would be downloaded at submit.
    const source = TINY_WEBP.toString("base64");
    const serve = async () => {
      for (let served = 0; served < 2; ) {
        const pop = await worker.submitRequest(
          new AlchemyPopRequest({ name: "alchemist", forms: ["caption", "nsfw"], amount: 2 }),
        );
        for (const form of pop.forms ?? []) {
          const result = form.form === "caption" ? { caption: "a cat on a sofa" } : { nsfw: false };
          await worker.submitRequest(
            new AlchemyJobSubmitRequest({ id: String(form.id), result, state: "ok" }),
          );
          served++;
        }
        if (!pop.forms?.length) await clock.sleep(1000);
      }
    };
    const [result] = await Promise.all([
      client.runAlchemy({ source_image: source, forms: [{ name: "caption" }, { name: "nsfw" }] }),
      serve(),
    ]);
    expect(result.forms).toHaveLength(2);
    expect(result.status.captions).toEqual(["a cat on a sofa"]);
    expect(result.status.done).toBe(true);
  });
});
