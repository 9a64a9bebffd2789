// @ts-check
// A text worker on a local OpenAI-compatible server (llama.cpp's server, vLLM, Ollama): HordeWorker pops the
// horde's text jobs, the backend sends each to `/v1/completions` (streamed: progress, and a stop ends the
// generation) and the worker submits the text. Before popping it asks the server what it serves, so a server
// that is down does not fault other people's jobs. While idle it says why no job comes.
//   BACKEND_URL=http://127.0.0.1:8080 HORDE_API_KEY=<your key> node examples/worker-backend.js my-model-name
// The horde CLI does the same without code: `horde worker --backend openai --backend-url … --model …`.
import { HordeWorker, openaiBackend } from "horde-sdk/worker";
import { runIfMain } from "./_run.js";

/**
 * @param {import("./_run.js").ExampleContext & { backendUrl?: string, model?: string, name?: string }} context
 */
export async function main({
  client,
  signal,
  log = console.error,
  args = [],
  backendUrl = process.env.BACKEND_URL ?? "http://127.0.0.1:8080",
  model = args[0] ?? "my-local-llm",
  name = "example-scribe",
}) {
  const backend = openaiBackend({ url: backendUrl });
  const served = await backend.probe(AbortSignal.timeout(15_000));
  log(`${backend.name} at ${backend.url} serves ${served.models.join(", ")}`);
  const worker = new HordeWorker({
    kind: "text",
    client, // its API key must belong to a registered user (the anonymous key cannot run workers)
    name,
    models: [model], // the name requesters ask the horde for
    ...(served.maxContextLength ? { maxContextLength: served.maxContextLength } : {}),
    backend,
  });
  worker.on("progress", ({ id, step, steps }) => log(`job ${id}: ${step}/${steps} tokens`));
  worker.on("completed", ({ id, reward }) => log(`job ${id}: submitted, +${reward} kudos`));
  worker.on("faulted", ({ id, message }) => log(`job ${id}: faulted (${message}); the horde re-queues it`));
  worker.on("idle", ({ summary }) => log(`no jobs lately: ${summary}`));
  worker.start();
  log(`worker '${name}' serves '${model}'; stop with Ctrl-C`);
  signal?.addEventListener("abort", () => void worker.stop(), { once: true }); // finish what is in flight
  const stats = await worker.wait();
  return { name: stats.name, completed: stats.completed, faulted: stats.faulted, kudos: stats.kudos };
}

await runIfMain(main, import.meta.url);
