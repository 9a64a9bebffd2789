// horde-sdk in a real browser (Debian's Chromium), with nothing but fetch: the page is served from one origin,
// the emulator's API from another (both on 127.0.0.1), so every call is a cross-origin request that needs the
// CORS headers the real server sends (the apikey and Client-Agent headers make the browser preflight).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmulator, type Emulator, silentLogger } from "horde-emulator";
import { bundleForBrowser } from "horde-test-support/browser-bundle";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, repoRoot } from "./support/chromium.js";

const { browser, reason } = await launchChromium("horde-sdk in the browser");

// biome-ignore lint/suspicious/noExplicitAny: the page's `window.horde` is the SDK, typed loosely across the boundary
type Win = Window & { horde: any };

describe.skipIf(!browser)(`horde-sdk in Chromium${reason ? ` (skipped: ${reason})` : ""}`, () => {
  let emulator: Emulator;
  let apiUrl: string;
  let site: Server;
  let siteOrigin: string;
  let page: Page;
  const sent: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    // The SDK as a browser app gets it: bundled and minified for the browser platform.
    const bundle = await bundleForBrowser(`${repoRoot}test/browser/fixtures/sdk-harness.ts`, {
      alias: { "horde-sdk": `${repoRoot}packages/sdk/src/index.ts` },
      logLevel: "error",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    site = createServer((req, res) => {
      if (req.url === "/harness.js") {
        res.writeHead(200, { "Content-Type": "text/javascript" }).end(script);
      } else if (req.url === "/favicon.ico") {
        res.writeHead(204).end();
      } else if (req.url === "/") {
        res
          .writeHead(200, { "Content-Type": "text/html" })
          .end(
            '<!doctype html><title>horde-sdk test page</title><script type="module" src="/harness.js"></script>',
          );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

    emulator = createEmulator({ logger: silentLogger, devWorkers: [{ type: "image", generationMs: 400 }] });
    apiUrl = (await emulator.listen({ port: 0, host: "127.0.0.1" })).url;

    page = await (browser as NonNullable<typeof browser>).newPage();
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("request", (r) => {
      if (r.url().startsWith(apiUrl)) sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${siteOrigin}/`);
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await page?.close();
    await emulator?.close();
    await new Promise((resolve) => site?.close(resolve));
    await browser?.close();
  });

  it("runs in a page with no Node globals, across origins", async () => {
    const env = await page.evaluate((api) => {
      const g = globalThis as Record<string, unknown>;
      return {
        buffer: typeof g.Buffer,
        process: typeof g.process,
        require: typeof g.require,
        crossOrigin: new URL(api).origin !== location.origin,
        version: (window as unknown as Win).horde.VERSION,
      };
    }, apiUrl);
    expect(env).toEqual({
      buffer: "undefined",
      process: "undefined",
      require: "undefined",
      crossOrigin: true,
      version: expect.any(String),
    });
  });

  it("generateImage: submit, progress, status and the WebP bytes (R2 download)", {
    timeout: 20_000,
  }, async () => {
    const result = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient } = (window as unknown as Win).horde;
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local" });
      const progress: number[] = [];
      const { id, images } = await client.generateImage(
        { prompt: "a lighthouse at dusk", params: { width: 64, height: 64, steps: 5, n: 2 } },
        {
          onProgress: ({ progress: check }: { progress: { finished: number } }) =>
            progress.push(check.finished),
        },
      );
      return {
        id,
        polls: progress.length,
        images: images.map(({ generation, bytes }: { generation: { img: string }; bytes: Uint8Array }) => ({
          url: generation.img.startsWith("http"),
          uint8: bytes instanceof Uint8Array,
          magic: String.fromCharCode(...bytes.slice(0, 4), ...bytes.slice(8, 12)),
        })),
      };
    }, apiUrl);
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.polls).toBeGreaterThan(0);
    expect(result.images).toEqual([
      { url: true, uint8: true, magic: "RIFFWEBP" },
      { url: true, uint8: true, magic: "RIFFWEBP" },
    ]);
    expect(sent).toContain(`GET /api/v2/generate/status/${result.id}`);
  });

  it("generateImage with r2: false decodes base64 images without Buffer", { timeout: 20_000 }, async () => {
    const magic = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient } = (window as unknown as Win).horde;
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local" });
      const { images } = await client.generateImage({
        prompt: "a cat",
        r2: false,
        params: { width: 64, height: 64, steps: 5 },
      });
      const [{ generation, bytes }] = images;
      return `${generation.isUrl}:${String.fromCharCode(...bytes.slice(0, 4), ...bytes.slice(8, 12))}`;
    }, apiUrl);
    expect(magic).toBe("false:RIFFWEBP");
  });

  it("an abort cancels the job on the server before generateImage rejects", { timeout: 20_000 }, async () => {
    const before = emulator.admin.stats().requests;
    const outcome = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient, HordeAbortError } = (window as unknown as Win).horde;
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local" });
      const controller = new AbortController();
      try {
        await client.generateImage(
          { prompt: "never mind", params: { width: 64, height: 64, steps: 5 } },
          { signal: controller.signal, onSubmitted: () => controller.abort() },
        );
        return "resolved";
      } catch (error) {
        return `${(error as Error).name}:${error instanceof HordeAbortError}`;
      }
    }, apiUrl);
    expect(outcome).toBe("HordeAbortError:true");
    const after = emulator.admin.stats();
    expect(after.requests.total).toBe(before.total + 1);
    expect(after.requests.cancelled).toBe(before.cancelled + 1);
    expect(after.unfinished).toBe(0);
    expect(sent.filter((s) => s.startsWith("DELETE /api/v2/generate/status/"))).toHaveLength(1);
  });

  it("a job store in IndexedDB: submit, reload the page, resume: the images appear", {
    timeout: 30_000,
  }, async () => {
    const before = emulator.admin.stats().requests.total;
    const submitted = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient, IndexedDBJobStore } = (window as unknown as Win).horde;
      const jobStore = new IndexedDBJobStore({ database: "durable-test" });
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local", jobStore });
      const payload = (prompt: string) => ({ prompt, params: { width: 64, height: 64, steps: 5, n: 2 } });
      // Submitted, never waited for: the page goes away while they run.
      const jobs = [
        await client.submitImage(payload("a lighthouse")),
        await client.submitImage(payload("a fox")),
      ];
      // Another tab (another store) sees them as held: this page still lives and holds its Web Lock.
      const other = new AIHordeAPIClient({
        baseUrl,
        clientAgent: "sdk-browser-test:1:local",
        jobStore: new IndexedDBJobStore({ database: "durable-test" }),
      });
      const held = (await other.resumeJobs()).map((r: { state: string }) => r.state);
      return { ids: jobs.map((j: { id: string }) => j.id), stored: (await jobStore.list()).length, held };
    }, apiUrl);
    expect(submitted.stored).toBe(2);
    expect(submitted.held).toEqual(["held", "held"]);

    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    const shown = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient, IndexedDBJobStore } = (window as unknown as Win).horde;
      const jobStore = new IndexedDBJobStore({ database: "durable-test" });
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local", jobStore });
      const resumed = await client.resumeJobs();
      const states = resumed.map((r: { state: string }) => r.state);
      for (const r of resumed) {
        const { images } = await r.job.wait();
        for (const { bytes } of images) {
          const img = document.createElement("img");
          img.className = "resumed";
          img.dataset.job = r.job.id;
          img.src = URL.createObjectURL(new Blob([bytes], { type: "image/webp" }));
          document.body.append(img);
          await img.decode();
        }
      }
      const imgs = [...document.querySelectorAll<HTMLImageElement>("img.resumed")];
      return {
        states,
        jobs: [...new Set(imgs.map((img) => img.dataset.job))],
        sizes: imgs.map((img) => `${img.naturalWidth}x${img.naturalHeight}`),
        left: (await jobStore.list()).length,
      };
    }, apiUrl);
    expect(shown.states.every((s: string) => s === "running" || s === "done")).toBe(true);
    expect(shown.jobs.sort()).toEqual([...submitted.ids].sort());
    expect(shown.sizes).toEqual(["64x64", "64x64", "64x64", "64x64"]);
    expect(shown.left).toBe(0);
    const after = emulator.admin.stats();
    expect(after.requests.total).toBe(before + 2);
    expect(after.unfinished).toBe(0);
  });

  it("invalid input rejects with HordeValidationError naming the field, and sends nothing", async () => {
    const before = sent.length;
    const total = emulator.admin.stats().requests.total;
    const error = await page.evaluate(async (baseUrl) => {
      const { AIHordeAPIClient, HordeValidationError } = (window as unknown as Win).horde;
      const client = new AIHordeAPIClient({ baseUrl, clientAgent: "sdk-browser-test:1:local" });
      try {
        await client.generateImage({ prompt: "a lighthouse", params: { width: 500 } });
        return null;
      } catch (e) {
        const v = e as { field: string; message: string; name: string };
        return {
          name: v.name,
          isValidation: e instanceof HordeValidationError,
          field: v.field,
          message: v.message,
        };
      }
    }, apiUrl);
    expect(error).toMatchObject({ name: "HordeValidationError", isValidation: true, field: "params.width" });
    expect(error?.message).toContain("params.width: Invalid number: must be a multiple of 64");
    expect(sent.length).toBe(before);
    expect(emulator.admin.stats().requests.total).toBe(total);
  });
});
