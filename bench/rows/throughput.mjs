// Row 6: throughput under the server's rate limits. 120 image jobs (submit + wait + download), all started at
// once from one client with its default throttling, against an emulator with rate limits on (the contract's
// limits for POST /v2/generate/async per IP: 2/second *and* 90/minute, fixed windows from the first hit) and
// four fast dev workers. Real time. Counts every 429 the emulator sent to the client.

import { importEmulator, importSdk } from "../lib/env.mjs";
import { fmtMs } from "../lib/timing.mjs";

const BASE = "http://horde.local/api";

/**
 * The earliest possible submit times of `n` submits under fixed-window limits that start at their first hit
 * (the server's semantics): the best any client can do.
 */
export function idealSchedule(n, rules) {
  const state = rules.map(() => ({ start: Number.NEGATIVE_INFINITY, count: 0 }));
  const times = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let moved = true; moved; ) {
      moved = false;
      rules.forEach((rule, k) => {
        const w = state[k];
        if (t < w.start + rule.windowMs && w.count >= rule.count) {
          t = w.start + rule.windowMs;
          moved = true;
        }
      });
    }
    rules.forEach((rule, k) => {
      const w = state[k];
      if (t >= w.start + rule.windowMs) {
        w.start = t;
        w.count = 1;
      } else w.count++;
    });
    times.push(t);
  }
  return times;
}

export async function run({ quick }) {
  const JOBS = quick ? 30 : 120;
  const { AIHordeAPIClient, silentLogger } = await importSdk();
  const { createEmulator, silentLogger: emuSilent } = await importEmulator();
  const emu = createEmulator({
    logger: emuSilent,
    devWorkers: Array.from({ length: 4 }, () => ({ type: "image", generationMs: 150, popIntervalMs: 100 })),
  });
  const request = { prompt: "a lighthouse at dusk", params: { width: 512, height: 512, steps: 10 } };
  try {
    // Warm-up (discarded): gives the dev workers a speed record, as on the real horde; then the emulator's
    // rate-limit windows are reset and a fresh client starts with empty buckets.
    const warm = new AIHordeAPIClient({ baseUrl: BASE, fetch: emu.fetch, logger: silentLogger });
    await warm.generateImage(request);
    emu.rateLimits.reset();

    const got429 = new Map();
    const submits = [];
    let requests = 0;
    const client = new AIHordeAPIClient({
      baseUrl: BASE,
      logger: silentLogger,
      fetch: async (input, init) => {
        requests++;
        const response = await emu.fetch(input, init);
        const path = new URL(String(input)).pathname.replace(/[0-9a-f-]{36}/g, "{id}");
        if (response.status === 429) got429.set(path, (got429.get(path) ?? 0) + 1);
        if (path.endsWith("/v2/generate/async") && response.status === 202) submits.push(performance.now());
        return response;
      },
    });
    const t0 = performance.now();
    const done = [];
    const results = await Promise.all(
      Array.from({ length: JOBS }, () =>
        client.generateImage(request).then((r) => {
          done.push(performance.now());
          return r;
        }),
      ),
    );
    const tEnd = performance.now();
    const images = results.reduce((n, r) => n + r.images.filter((i) => i.bytes).length, 0);
    const total429 = [...got429.values()].reduce((a, b) => a + b, 0);

    const ideal = idealSchedule(JOBS, [
      { count: 2, windowMs: 1000 },
      { count: 90, windowMs: 60_000 },
    ]);
    const submitSpan = (submits.at(-1) - submits[0]) / 1000;
    const idealSpan = (ideal.at(-1) - ideal[0]) / 1000;
    const overall = JOBS / ((tEnd - t0) / 1000);
    // While the 2/second limit is the one that binds: the first 90 submits (the 90/minute window's budget).
    const k = Math.min(90, submits.length) - 1;
    const rateWhile2s = k / ((submits[k] - submits[0]) / 1000);
    const idealWhile2s = k / ((ideal[k] - ideal[0]) / 1000);
    const submitRate = (submits.length - 1) / submitSpan;
    const idealRate = (JOBS - 1) / idealSpan;
    const ofCeiling = submitRate / idealRate;
    const of2s = submitRate / 2;
    // Both readings of "the limit": 2/s where it is the binding limit, and the whole run against the best
    // schedule the enforced limits allow.
    const met = rateWhile2s / 2 >= 0.95 && ofCeiling >= 0.95 && total429 === 0;
    return [
      {
        id: "6",
        what: `throughput under limits: ${JOBS} image jobs (512², submit + wait + download) from one client, rate limits on`,
        a:
          `${submits.length} submits in ${submitSpan.toFixed(1)} s = **${submitRate.toFixed(2)} submits/s** ` +
          `(${rateWhile2s.toFixed(2)}/s over the first ${k + 1}, while 2/s binds); all ${JOBS} jobs done in ` +
          `${fmtMs(tEnd - t0)} (${overall.toFixed(2)} jobs/s), ${images} images downloaded; ` +
          `**${total429} × 429** from the emulator${total429 ? ` (${[...got429].map(([p, n]) => `${p}: ${n}`).join(", ")})` : ""}; ${requests} HTTP requests`,
        b:
          `2 submits/s; the contract also caps the route at 90/minute per IP, so the best possible schedule for ` +
          `${JOBS} submits spans ${idealSpan.toFixed(1)} s = ${idealRate.toFixed(2)}/s (${idealWhile2s.toFixed(2)}/s over the first ${k + 1})`,
        ratioText:
          `**${((rateWhile2s / 2) * 100).toFixed(1)} %** of 2/s while 2/s binds; **${(ofCeiling * 100).toFixed(1)} %** ` +
          `of the best schedule under 2/s + 90/min over all ${JOBS} (${(of2s * 100).toFixed(1)} % of a flat 2/s)`,
        target: "≥ 95 % of the limit, zero 429s",
        met,
        detail:
          "one run (about 75 s of real time); rates are (submits − 1) / (last − first submit). Met = ≥ 95 % of 2/s " +
          "over the first 90 submits, ≥ 95 % of the best possible schedule over the whole run, and no 429: a flat " +
          "2/s is out of reach past 90 submits for any client (the 90/minute limit)",
      },
    ];
  } finally {
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: process.argv.includes("--quick") }));
}
