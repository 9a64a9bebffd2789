// Row 5: how quickly, and with how many /check calls, a finished 20 s image job is noticed: our adaptive
// polling (client.submitImage → job.progress()) beside fixed 4 s (what the Python SDK does) and fixed 1 s
// pollers, all watching the same job on one virtual clock (so the figures are exact, not wall-clock noise).
// Set up as packages/sdk/test/polling.test.ts: a DevWorker with generationMs 20000, and a warm-up job first
// (on the real horde every worker has a speed record, which `wait_time` is computed from).
import { importEmulator, importSdk } from "../lib/env.mjs";

const BASE = "http://horde.test/api";

async function fixedPoller(fetch, clock, id, everyMs) {
  let calls = 0;
  for (;;) {
    await clock.sleep(everyMs);
    calls++;
    const body = await (await fetch(`${BASE}/v2/generate/check/${id}`)).json();
    if (body.done) return { calls, noticedAt: clock.now() };
  }
}

export async function run() {
  const { AIHordeAPIClient, silentLogger } = await importSdk();
  const { createEmulator, DevWorker, VirtualClock, silentLogger: emuSilent } = await importEmulator();
  const clock = new VirtualClock({ autoAdvance: true });
  const emu = createEmulator({ clock, logger: emuSilent });
  const owner = emu.admin.createUser({ username: "bench-owner", workerInvited: 1 });
  let completedAt = 0;
  const workerFetch = async (input, init) => {
    const response = await emu.fetch(input, init);
    if (String(input).endsWith("/v2/generate/submit") && response.status === 200) completedAt = clock.now();
    return response;
  };
  const worker = new DevWorker(
    { fetch: workerFetch, baseUrl: BASE, apikey: owner.apikey },
    { clock, generationMs: 20_000 },
  );
  worker.start();
  try {
    let ourCalls = 0;
    const client = new AIHordeAPIClient({
      baseUrl: BASE,
      clock,
      logger: silentLogger,
      fetch: (input, init) => {
        if (String(input).includes("/check/")) ourCalls++;
        return emu.fetch(input, init);
      },
    });
    const request = { prompt: "a lighthouse", params: { width: 64, height: 64, steps: 10 } };
    await client.generateImage(request); // warm-up job, discarded
    ourCalls = 0;
    const job = await client.submitImage(request);
    const submittedAt = clock.now();
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
    if (completedAt === 0) throw new Error("the job never completed");
    const delay = (r) => (r.noticedAt - completedAt) / 1000;
    const fmt = (r) => `${r.calls} \`/check\` calls, noticed ${delay(r).toFixed(1)} s after completion`;
    const met = ours.calls < every4s.calls && delay(ours) < delay(every4s);
    return [
      {
        id: "5",
        what: `polling a 20 s image job (virtual time; completed ${((completedAt - submittedAt) / 1000).toFixed(1)} s after submit)`,
        a: `adaptive (ours): ${fmt(ours)}`,
        b: `fixed 4 s (Python SDK): ${fmt(every4s)}; fixed 1 s: ${fmt(every1s)}`,
        ratioText: `calls ${(ours.calls / every4s.calls).toFixed(2)} × / delay ${(delay(ours) / Math.max(delay(every4s), 1e-9)).toFixed(2)} × of fixed 4 s`,
        target: "fewer calls than 4 s and shorter delay than 4 s",
        met,
        detail: "one run: virtual time is deterministic, so there is no spread to report",
      },
    ];
  } finally {
    await worker.stop();
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run());
}
