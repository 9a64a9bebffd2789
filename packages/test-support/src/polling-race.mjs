// The polling race behind bench row 5 and the SDK's adaptive-polling test: how quickly, and with how many
// /check calls, a finished 20 s image job is noticed by our adaptive polling (client.submitImage →
// job.progress()) beside fixed 4 s (what the Python SDK does) and fixed 1 s pollers, all watching the same job
// on one virtual clock, so the figures are exact. A warm-up job runs first: on the real horde every worker
// has a speed record, which `wait_time` is computed from. The caller passes the packages in (the test the
// sources, the benchmark the built packages); plain JavaScript, so the benchmarks import it too.

const BASE = "http://horde.test/api";

/**
 * @typedef {object} PollerResult
 * @property {number} calls `/check` calls made
 * @property {number} noticedAt virtual time at which the poller saw the job done
 *
 * @typedef {object} PollingRace
 * @property {PollerResult} ours adaptive polling
 * @property {PollerResult} every4s
 * @property {PollerResult} every1s
 * @property {number} submittedAt virtual time of the submit
 * @property {number} completedAt virtual time of the worker's accepted submit (0 if it never came)
 */

/**
 * A fixed-interval poller of /check.
 * @param {(url: string) => Promise<Response>} fetch
 * @param {import("horde-sdk").Clock} clock
 * @param {string} id
 * @param {number} everyMs
 * @returns {Promise<PollerResult>}
 */
async function fixedPoller(fetch, clock, id, everyMs) {
  let calls = 0;
  for (;;) {
    await clock.sleep(everyMs);
    calls++;
    const body = /** @type {{ done: boolean }} */ (
      await (await fetch(`${BASE}/v2/generate/check/${id}`)).json()
    );
    if (body.done) return { calls, noticedAt: clock.now() };
  }
}

/**
 * Runs the race once, on a fresh emulator with one dev worker that takes 20 s per job.
 * @param {{ sdk: typeof import("horde-sdk"); emulator: typeof import("horde-emulator") }} packages
 * @returns {Promise<PollingRace>}
 */
export async function racePollers({ sdk, emulator }) {
  const clock = new emulator.VirtualClock({ autoAdvance: true });
  const emu = emulator.createEmulator({ clock, logger: emulator.silentLogger });
  const owner = emu.admin.createUser({ username: "bench-owner", workerInvited: 1 });
  let completedAt = 0;
  /** @type {typeof emu.fetch} */
  const workerFetch = async (input, init) => {
    const response = await emu.fetch(input, init);
    if (String(input).endsWith("/v2/generate/submit") && response.status === 200) completedAt = clock.now();
    return response;
  };
  const worker = new emulator.DevWorker(
    { fetch: workerFetch, baseUrl: BASE, apikey: owner.apikey },
    { clock, generationMs: 20_000 },
  );
  worker.start();
  try {
    let ourCalls = 0;
    const client = new sdk.AIHordeAPIClient({
      baseUrl: BASE,
      clock,
      logger: sdk.silentLogger,
      fetch: (input, init) => {
        if (String(input).includes("/check/")) ourCalls++;
        return emu.fetch(input, init);
      },
    });
    const request = { prompt: "a lighthouse", params: { width: 64, height: 64, steps: 10 } };
    await client.generateImage(request); // the warm-up job, discarded
    ourCalls = 0;
    const job = await client.submitImage(request);
    const submittedAt = clock.now();
    /** @param {string} url */
    const raw = (url) => emu.fetch(url);
    const [ours, every4s, every1s] = await Promise.all([
      (async () => {
        for await (const _ of job.progress()) {
          /* adaptive */
        }
        return { calls: ourCalls, noticedAt: clock.now() };
      })(),
      fixedPoller(raw, clock, job.id, 4000),
      fixedPoller(raw, clock, job.id, 1000),
    ]);
    await job.wait();
    return { ours, every4s, every1s, submittedAt, completedAt };
  } finally {
    await worker.stop();
    await emu.close();
  }
}
