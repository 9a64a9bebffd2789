// @ts-check
// Sessions: whatever a session started is cancelled when it closes — so a crash, a timeout or Ctrl-C half-way
// through a batch never leaves jobs running (and spending kudos) on the horde.
//   node examples/session-cleanup.js --local
import { ImageGenerateAsyncRequest, ImageGenerateAsyncResponse, ImageGenerateCheckRequest } from "horde-sdk";
import { runIfMain } from "./_run.js";

/** @param {import("./_run.js").ExampleContext} context */
export async function main({ client, log = console.error }) {
  // `await using session = client.session();` does the same where the runtime supports it (Node ≥ 24, TS).
  const session = client.session();
  const submitted = [];
  let report;
  try {
    for (const prompt of ["a red fox", "a blue whale", "a green owl"]) {
      const job = await session.submitRequest(new ImageGenerateAsyncRequest({ prompt, params: { n: 2 } }));
      // The response class follows the HTTP status: 202 queued a job, 200 answers a dry run.
      if (!(job instanceof ImageGenerateAsyncResponse)) throw new Error("expected a queued job");
      submitted.push(job.id);
      const check = await session.submitRequest(new ImageGenerateCheckRequest({ id: job.id }));
      log(`${job.id}: queue position ${check.queue_position}`);
    }
    throw new Error("something went wrong before the results were fetched");
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    report = await session.close(); // DELETEs every job it started that is not complete
  }
  log(`cancelled ${report.cancelled.length} of ${submitted.length} jobs`);
  return { submitted, cancelled: report.cancelled, failed: report.failed.length };
}

await runIfMain(main, import.meta.url);
