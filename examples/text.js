// @ts-check
// Generate text with a language model.
//   node examples/text.js --local "Once upon a time"
import { runIfMain } from "./_run.js";

/** @param {import("./_run.js").ExampleContext & { prompt?: string }} context */
export async function main({ client, signal, log = console.error, args = [], prompt }) {
  const result = await client.generateText(
    {
      prompt: prompt ?? args[0] ?? "Once upon a time, in a lighthouse,",
      params: { max_length: 80, max_context_length: 1024, n: 1, temperature: 0.8 },
      // models: ["koboldcpp/LLaMA2-13B-Psyfighter2"],   // see `horde models --type text`
    },
    {
      signal,
      onProgress: ({ progress }) => log(`waiting ${progress.waiting} · processing ${progress.processing}`),
    },
  );
  return {
    id: result.id,
    texts: result.texts,
    models: result.generations.map((g) => g.model),
  };
}

await runIfMain(main, import.meta.url);
