// Row 7: requests/s of GET /api/v2/generate/check/{id} on loopback: the emulator (rate limits off, so every
// answer is a real 200) beside a bare hono app answering the same JSON bytes, interleaved over several rounds
// with the same load generator (a worker thread, 32 keep-alive connections).
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { importEmulator } from "../lib/env.mjs";
import { loadInWorker } from "../lib/http-load.mjs";
import { summarize } from "../lib/timing.mjs";

export async function run({ quick }) {
  const { createEmulator, silentLogger } = await importEmulator();
  const SECONDS = quick ? 1 : 2;
  const ROUNDS = quick ? 3 : 5;
  const CONNECTIONS = 32;
  const MAX = 100_000;

  const emu = createEmulator({ logger: silentLogger, rateLimits: false });
  const { url: base } = await emu.listen({ port: 0, host: "127.0.0.1" });
  const created = await fetch(`${base}/v2/generate/async`, {
    method: "POST",
    headers: { apikey: "0000000000", "Content-Type": "application/json" },
    body: JSON.stringify({ prompt: "a benchmark" }),
  });
  const { id } = await created.json();
  const emuUrl = `${base}/v2/generate/check/${id}`;
  const sample = await (await fetch(emuUrl)).text();

  const bare = new Hono();
  bare.get("/api/v2/generate/check/:id", (c) => c.body(sample, 200, { "Content-Type": "application/json" }));
  const bareServer = await new Promise((resolve) => {
    const s = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
      resolve({ s, port: info.port }),
    );
  });
  const bareUrl = `http://127.0.0.1:${bareServer.port}/api/v2/generate/check/${id}`;

  try {
    const opts = { seconds: SECONDS, max: MAX, connections: CONNECTIONS };
    // Warm-ups, discarded.
    await loadInWorker(emuUrl, { ...opts, seconds: 1, max: 3000 });
    await loadInWorker(bareUrl, { ...opts, seconds: 1, max: 3000 });
    const emuRps = [];
    const bareRps = [];
    const ratios = [];
    let non200 = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ["emu", "bare"] : ["bare", "emu"];
      const got = {};
      for (const which of order) got[which] = await loadInWorker(which === "emu" ? emuUrl : bareUrl, opts);
      non200 += got.emu.failed + got.bare.failed;
      emuRps.push(got.emu.rps);
      bareRps.push(got.bare.rps);
      ratios.push(got.emu.rps / got.bare.rps);
    }
    const e = summarize(emuRps);
    const b = summarize(bareRps);
    const fmt = (s) =>
      `${Math.round(s.median)} req/s (IQR ${Math.round(s.p25)}–${Math.round(s.p75)}, n=${s.n})`;
    const ratio = summarize(ratios);
    return [
      {
        id: "7",
        what: "emulator: `/check` requests/s on loopback",
        a: `horde-emulator, rate limits off: ${fmt(e)}`,
        b: `bare hono app, same JSON: ${fmt(b)}`,
        ratio,
        target: "≥ 0.50 (throughput ratio: higher is better)",
        met: ratio.median >= 0.5,
        detail: `${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} keep-alive connections from a worker thread; ${non200} non-200 answers`,
      },
    ];
  } finally {
    await emu.close();
    bareServer.s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: true }));
}
