#!/usr/bin/env node
// Requests per second of GET /api/v2/generate/check/{id} on loopback: the emulator (rate limits off, so
// every answer is a real 200) beside a bare hono app answering the same JSON, measured in the same run
// with the same small load generator. The generator runs in a worker thread, so it does not share the
// servers' event loop. Bounded in count and time; talks to 127.0.0.1 only.
//
//   npm run build && npm run bench:emulator -w horde-emulator [-- --seconds 2 --rounds 3 --max 60000 --connections 32]
//
// Needs the compiled emulator (dist/): run `npm run build` (tsc -b) first.
import { existsSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const SECONDS = Math.min(opt("seconds", 2), 30);
const MAX_REQUESTS = Math.min(opt("max", 60_000), 500_000);
const CONNECTIONS = Math.min(opt("connections", 32), 256);
const WARMUP_REQUESTS = 2_000;

if (!isMainThread) {
  parentPort.postMessage(await load(workerData.url, workerData.options));
  process.exit(0);
}

const { serve } = await import("@hono/node-server");
const { Hono } = await import("hono");

const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
if (!existsSync(dist)) {
  console.error("horde-emulator is not built: run `npm run build` (tsc -b) first.");
  process.exit(1);
}
const { createEmulator, silentLogger } = await import(dist);

/** Sends GETs to one URL on `connections` keep-alive sockets until `max` answers or `seconds` pass. */
async function load(url, { seconds, max, connections }) {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new Error("the load generator only talks to 127.0.0.1");
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const latencies = [];
  const one = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.get(target, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on("error", () => {
        failed++;
        resolve();
      });
    });
  const worker = async () => {
    while (sent < max && Date.now() < deadline) {
      sent++;
      await one();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: ok + failed,
    ok,
    failed,
    seconds: elapsed,
    rps: (ok + failed) / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

/** Runs the load generator in a worker thread and waits for its figures. */
function loadInWorker(url, options) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { url, options } });
    w.once("message", resolve);
    w.once("error", reject);
  });
}

async function measure(name, url) {
  await loadInWorker(url, { seconds: 2, max: WARMUP_REQUESTS, connections: CONNECTIONS });
  const r = await loadInWorker(url, { seconds: SECONDS, max: MAX_REQUESTS, connections: CONNECTIONS });
  return { name, ...r };
}

// 1. The emulator over a socket, with a queued request to check.
const emu = createEmulator({ logger: silentLogger, rateLimits: false });
const { url: base } = await emu.listen({ port: 0, host: "127.0.0.1" });
const created = await fetch(`${base}/v2/generate/async`, {
  method: "POST",
  headers: { apikey: "0000000000", "Content-Type": "application/json" },
  body: JSON.stringify({ prompt: "a benchmark" }),
});
const { id } = await created.json();
const checkUrl = `${base}/v2/generate/check/${id}`;
const sample = await (await fetch(checkUrl)).text();

// 2. A bare hono app answering the same JSON.
const bare = new Hono();
bare.get("/api/v2/generate/check/:id", (c) => c.body(sample, 200, { "Content-Type": "application/json" }));
const bareServer = await new Promise((resolve) => {
  const s = serve({ fetch: bare.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
    resolve({ s, port: info.port }),
  );
});

// Alternate the targets over several rounds and report the median: on a shared machine one round can
// be disturbed by other work, the median of interleaved rounds much less.
const ROUNDS = Math.min(Math.max(opt("rounds", 3), 1), 9);
const rounds = { bare: [], emu: [], inproc: [] };
for (let round = 0; round < ROUNDS; round++) {
  rounds.bare.push(
    await measure("bare hono (same JSON)", `http://127.0.0.1:${bareServer.port}/api/v2/generate/check/${id}`),
  );
  rounds.emu.push(await measure("horde-emulator /check", checkUrl));
  // In process: emu.fetch without a socket, for reference.
  const t0 = process.hrtime.bigint();
  let n = 0;
  const deadline = Date.now() + SECONDS * 1000;
  while (n < MAX_REQUESTS && Date.now() < deadline) {
    await (await emu.fetch(`http://horde.local/api/v2/generate/check/${id}`)).text();
    n++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rounds.inproc.push({
    name: "horde-emulator emu.fetch (in-process)",
    requests: n,
    ok: n,
    failed: 0,
    seconds: s,
    rps: n / s,
    p50: 0,
    p99: 0,
  });
}
const median = (list) => {
  const sorted = [...list].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor(sorted.length / 2)], min: sorted[0].rps, max: sorted.at(-1).rps };
};
const results = [median(rounds.bare), median(rounds.emu), median(rounds.inproc)];

await emu.close();
bareServer.s.close();

console.log(
  `machine: ${os.cpus().length} CPUs (nproc ${os.availableParallelism?.() ?? os.cpus().length}), ${os.cpus()[0]?.model ?? "?"}; Node ${process.version}; ${os.platform()} ${os.release()}`,
);
console.log(
  `load: one worker thread, ${CONNECTIONS} keep-alive connections, ${SECONDS} s or ${MAX_REQUESTS} requests per target, after ${WARMUP_REQUESTS} warm-up requests`,
);
console.log("");
console.log(`rounds: ${ROUNDS}, interleaved; median round shown, with the range over rounds`);
console.log("");
console.log(
  "| target | requests (median round) | non-200 | req/s (median) | req/s range | p50 ms | p99 ms |",
);
console.log("| --- | ---: | ---: | ---: | --- | ---: | ---: |");
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.requests} | ${r.failed} | ${Math.round(r.rps)} | ${Math.round(r.min)}–${Math.round(r.max)} | ${r.p50 ? r.p50.toFixed(2) : "–"} | ${r.p99 ? r.p99.toFixed(2) : "–"} |`,
  );
}
const [bareR, emuR] = results;
console.log("");
console.log(`emulator / bare hono (medians): ${((emuR.rps / bareR.rps) * 100).toFixed(0)}%`);
