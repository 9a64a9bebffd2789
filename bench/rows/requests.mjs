// Rows 3 and 4: what one /v2/generate/check/{id} call costs through our client, against the same call made
// by hand (fetch + JSON.parse) and through the incumbent JS wrapper (@zeldafan0225/ai_horde, the real package),
// all against one emulator holding one queued job.
//   3a. in process:  client.submitRequest(new ImageGenerateCheckRequest({id})) with fetch = emulator.fetch
//       vs JSON.parse(await (await emulator.fetch(url, {headers})).text())
//   3b. loopback:    the same over emulator.listen({port: 0}) with the global fetch, vs global fetch + JSON.parse
//   4.  loopback:    ours vs new AIHorde({api_route}).getImageGenerationCheck(id, {force: true})
// Rate limits are off on both sides (the emulator's, and our client's throttling), so every call is a real
// 200 and no side sleeps; the incumbent caches nothing by default (force: true makes sure).
import { importEmulator, importSdk } from "../lib/env.mjs";
import { fmtSummary, interleave } from "../lib/timing.mjs";

const AGENT = "horde-bench:1.0:https://github.com/";

export async function run({ quick }) {
  const { AIHordeAPIClient, ImageGenerateCheckRequest, silentLogger } = await importSdk();
  const { createEmulator, silentLogger: emuSilent } = await importEmulator();
  const { AIHorde } = await import("@zeldafan0225/ai_horde");

  const emu = createEmulator({ logger: emuSilent, rateLimits: false });
  const { url } = await emu.listen({ port: 0, host: "127.0.0.1" });
  if (!url.startsWith("http://127.0.0.1:")) throw new Error(`not loopback: ${url}`);
  const inProcBase = "http://horde.local/api";
  try {
    const submitted = await emu.fetch(`${inProcBase}/v2/generate/async`, {
      method: "POST",
      headers: { apikey: "0000000000", "Content-Type": "application/json", "Client-Agent": AGENT },
      body: JSON.stringify({ prompt: "a benchmark", params: { width: 512, height: 512 } }),
    });
    const { id } = await submitted.json();

    // The headers our client sends, captured once, so the hand-written call sends the very same ones.
    let headers = {};
    const spy = new AIHordeAPIClient({
      baseUrl: inProcBase,
      clientAgent: AGENT,
      logger: silentLogger,
      rateLimit: { enabled: false },
      fetch: (input, init) => {
        headers = Object.fromEntries(new Headers(init?.headers ?? {}).entries());
        return emu.fetch(input, init);
      },
    });
    await spy.submitRequest(new ImageGenerateCheckRequest({ id }));

    const options = { clientAgent: AGENT, logger: silentLogger, rateLimit: { enabled: false } };
    const oursInProc = new AIHordeAPIClient({ ...options, baseUrl: inProcBase, fetch: emu.fetch });
    const oursLoop = new AIHordeAPIClient({ ...options, baseUrl: url });
    const incumbent = new AIHorde({ api_route: `${url}/v2`, client_agent: AGENT });

    const check = (client) => async () => {
      const r = await client.submitRequest(new ImageGenerateCheckRequest({ id }));
      if (typeof r.done !== "boolean") throw new Error("unexpected /check answer");
    };
    const raw = (fetchImpl, base) => async () => {
      const r = JSON.parse(await (await fetchImpl(`${base}/v2/generate/check/${id}`, { headers })).text());
      if (typeof r.done !== "boolean") throw new Error("unexpected /check answer");
    };
    const viaIncumbent = async () => {
      const r = await incumbent.getImageGenerationCheck(id, { force: true });
      if (typeof r.done !== "boolean") throw new Error("unexpected /check answer");
    };

    const rounds = quick ? 7 : 25;
    const common = { rounds, warmup: 3, targetMs: 80, deadlineMs: 15_000 };
    const inProc = await interleave({ a: check(oursInProc), b: raw(emu.fetch, inProcBase), ...common });
    const loop = await interleave({ a: check(oursLoop), b: raw(globalThis.fetch, url), ...common });
    const vsIncumbent = await interleave({ a: check(oursLoop), b: viaIncumbent, ...common });

    const ours = "`client.submitRequest(new ImageGenerateCheckRequest({id}))`";
    /** A row of `a` against `b`, met when the ratio is at most `max`. */
    const row = (id, what, [aLabel, bLabel], result, max) => ({
      id,
      what,
      a: `${aLabel}: ${fmtSummary(result.a)}`,
      b: `${bLabel}: ${fmtSummary(result.b)}`,
      ratio: result.ratio,
      target: `≤ ${max.toFixed(2)}`,
      met: result.ratio.median <= max,
      detail: `${result.batch.a}/${result.batch.b} sequential calls per sample`,
    });
    const incumbentCall = "`@zeldafan0225/ai_horde` 5.2.0 `getImageGenerationCheck(id, {force: true})`";
    return [
      row(
        "3a",
        "request overhead, in process (`emulator.fetch`)",
        [ours, "`emulator.fetch` + `JSON.parse`, same headers"],
        inProc,
        1.3,
      ),
      row(
        "3b",
        "request overhead, loopback (`emulator.listen`)",
        [ours, "global `fetch` + `JSON.parse`, same headers"],
        loop,
        1.1,
      ),
      row(
        "4",
        "against the incumbent: one `/check` call, loopback",
        ["ours (as 3b)", incumbentCall],
        vsIncumbent,
        0.95,
      ),
    ];
  } finally {
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: true }));
}
