// Where a loopback /check call's time goes (docs/performance.md, rows 3b and 4): the same GET
// /v2/generate/check/{id} against one emulator on 127.0.0.1, made four ways, each interleaved with a plain
// `fetch` + `JSON.parse`: our client, the incumbent wrapper, node:http with a keep-alive agent, and fetch itself
// (a control: its ratio should sit at 1.00). Prints medians and ratios; writes nothing.
//   npm run build && node bench/probes/loopback-transports.mjs
import http from "node:http";
import { importEmulator, importSdk } from "../lib/env.mjs";
import { fmtSummary, interleave } from "../lib/timing.mjs";

const AGENT = "horde-bench:1.0:https://github.com/";
const { AIHordeAPIClient, ImageGenerateCheckRequest, silentLogger } = await importSdk();
const { createEmulator, silentLogger: emuSilent } = await importEmulator();
const { AIHorde } = await import("@zeldafan0225/ai_horde");

const emu = createEmulator({ logger: emuSilent, rateLimits: false });
const { url } = await emu.listen({ port: 0, host: "127.0.0.1" });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
try {
  const submitted = await fetch(`${url}/v2/generate/async`, {
    method: "POST",
    headers: { apikey: "0000000000", "Content-Type": "application/json", "Client-Agent": AGENT },
    body: JSON.stringify({ prompt: "a benchmark", params: { width: 512, height: 512 } }),
  });
  const { id } = await submitted.json();
  const path = `/v2/generate/check/${id}`;
  const headers = { apikey: "0000000000", "Client-Agent": AGENT };
  const ok = (r) => {
    if (typeof r.done !== "boolean") throw new Error("unexpected /check answer");
  };

  const viaFetch = async () => ok(JSON.parse(await (await fetch(`${url}${path}`, { headers })).text()));
  const viaHttp = () =>
    new Promise((resolve, reject) => {
      http
        .get(`${url}${path}`, { agent, headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve(ok(JSON.parse(text))));
        })
        .on("error", reject);
    });
  const client = new AIHordeAPIClient({
    baseUrl: url,
    clientAgent: AGENT,
    logger: silentLogger,
    rateLimit: { enabled: false },
  });
  const viaOurs = async () => ok(await client.submitRequest(new ImageGenerateCheckRequest({ id })));
  const incumbent = new AIHorde({ api_route: `${url}/v2`, client_agent: AGENT });
  const viaIncumbent = async () => ok(await incumbent.getImageGenerationCheck(id, { force: true }));

  const common = { rounds: 15, warmup: 3, targetMs: 80, deadlineMs: 15_000 };
  for (const [name, fn] of [
    ["fetch (control)", viaFetch],
    ["node:http, keep-alive agent", viaHttp],
    ["@zeldafan0225/ai_horde", viaIncumbent],
    ["horde-sdk client.submitRequest", viaOurs],
  ]) {
    const r = await interleave({ a: fn, b: viaFetch, ...common });
    console.log(
      `${name.padEnd(32)} ${fmtSummary(r.a).padEnd(40)} vs fetch ${fmtSummary(r.b).padEnd(40)} ratio ${r.ratio.median.toFixed(2)} (IQR ${r.ratio.p25.toFixed(2)}–${r.ratio.p75.toFixed(2)})`,
    );
  }
} finally {
  agent.destroy();
  await emu.close();
}
