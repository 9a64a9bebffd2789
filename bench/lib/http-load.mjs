// A small HTTP load generator: GETs one URL on N keep-alive
// sockets until `max` answers or `seconds` pass, in a worker thread so it does not share the server's event
// loop. Talks to 127.0.0.1 only.
import http from "node:http";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

async function load(url, { seconds, max, connections }) {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new Error("the load generator only talks to 127.0.0.1");
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const req = http.get(target, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
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
  return { requests: ok + failed, ok, failed, seconds: elapsed, rps: (ok + failed) / elapsed };
}

if (!isMainThread && workerData?.httpLoad) {
  parentPort.postMessage(await load(workerData.url, workerData.options));
}

/** Runs the load generator in a worker thread and resolves with its figures. */
export function loadInWorker(url, options) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: { httpLoad: true, url, options } });
    w.once("message", (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once("error", reject);
  });
}
