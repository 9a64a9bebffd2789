// The emulator's web page (`createEmulator({ ui: true })`) in a real Chromium: submit a prompt and see the
// images, cancel a job on the server, and bad input answered by the SDK's validation with nothing sent.
// The emulator listens on 127.0.0.1 (port 0); the page is the bundle `npm run build` makes, rebuilt here from
// the sources first so the test never runs a stale page.
import { mkdir, stat } from "node:fs/promises";
import { createEmulator, type Emulator, type EmulatorOptions, silentLogger } from "horde-emulator";
import type { BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildUi } from "../../packages/emulator/scripts/build-ui.mjs";
import { artifactPath, launchChromium, repoRoot } from "./support/chromium.js";

const { browser, reason } = await launchChromium("emulator UI");

/** expect.poll waits 1 s by default; a loaded CI machine may need longer. */
const POLL = { timeout: 10_000 };

/** The committed screenshot in the README; rewritten when missing or with UPDATE_SCREENSHOTS=1. */
const DOCS_SCREENSHOT = `${repoRoot}docs/images/emulator-ui.png`;

beforeAll(async () => {
  await buildUi({ sdkFromSource: true });
});

describe("emulator web page: serving (no browser needed)", () => {
  it("is served at / with its bundle only when the UI is on", async () => {
    const on = createEmulator({ ui: true, logger: silentLogger });
    const off = createEmulator({ logger: silentLogger });
    try {
      const page = await on.fetch("/");
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toMatch(/<script type="module" src="\/_ui\/app\.js\?v=\w+"><\/script>/);
      expect(html).toContain('<label for="prompt">Prompt</label>');
      const script = await on.fetch("/_ui/app.js");
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect((await script.text()).length).toBeGreaterThan(10_000);
      expect((await on.fetch("/_ui/app.css")).status).toBe(200);
      expect((await on.fetch("/_ui/secrets.txt")).status).toBe(404);
      // Without `ui`, / is the API server's plain 404, as before.
      expect((await off.fetch("/")).status).toBe(404);
      expect((await off.fetch("/_ui/app.js")).status).toBe(404);
    } finally {
      await on.close();
      await off.close();
    }
  });
});

describe.skipIf(!browser)(`emulator web page in Chromium${reason ? ` (skipped: ${reason})` : ""}`, () => {
  let emulator: Emulator | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  afterEach(async () => {
    await context?.close();
    await emulator?.close();
    context = undefined;
    page = undefined;
    emulator = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** An emulator with the page on, served on 127.0.0.1, and a fresh page showing it. */
  async function open(options: EmulatorOptions = {}) {
    emulator = createEmulator({ ui: true, logger: silentLogger, ...options });
    const { origin } = await emulator.listen({ port: 0, host: "127.0.0.1" });
    context = await (browser as NonNullable<typeof browser>).newContext({
      viewport: { width: 1200, height: 800 },
      deviceScaleFactor: 1,
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // Every request the page sends to the API, to prove what was (and was not) sent.
    const sent: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/"))
        sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    // The states each job card went through, as the page showed them.
    await page.addInitScript(() => {
      const w = window as unknown as { jobStates: string[] };
      w.jobStates = [];
      new MutationObserver(() => {
        for (const card of document.querySelectorAll<HTMLElement>(".job")) {
          const state = card.dataset.state ?? "";
          if (w.jobStates.at(-1) !== state) w.jobStates.push(state);
        }
      }).observe(document, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["data-state"],
      });
    });
    // The address `horde serve` prints: the admin token rides along for the panel.
    await page.goto(`${origin}/?token=${emulator.describe().adminToken}`);
    await page.getByRole("heading", { name: "horde-emulator" }).waitFor();
    return { page, emulator, origin, sent, errors };
  }

  it("submits a prompt, shows its progress and the images when they arrive", {
    timeout: 40_000,
  }, async () => {
    const { page, emulator, sent, errors } = await open({
      devWorkers: [{ type: "image", generationMs: 700 }],
    });
    // The panel shows the dev worker, read through the SDK's getWorkers().
    await expect.poll(() => page.locator("#workers").textContent(), POLL).toContain("dev-worker-1");

    await page.getByLabel("Prompt").fill("a lighthouse at dusk, oil on canvas");
    await page.getByLabel("Images").fill("2");
    await page.getByRole("button", { name: "Generate" }).click();

    const card = page.locator(".job").first();
    await page.locator('.job[data-state="finished"]').waitFor({ timeout: 30_000 });
    const images = card.locator(".images img");
    await expect.poll(() => images.count(), POLL).toBe(2);
    // Real pictures: decoded by the browser from the bytes the SDK downloaded (Blob URLs).
    const loaded = await images.evaluateAll((imgs) =>
      (imgs as HTMLImageElement[]).map((img) => ({ w: img.naturalWidth, src: img.src.slice(0, 5) })),
    );
    expect(loaded).toEqual([
      { w: 512, src: "blob:" },
      { w: 512, src: "blob:" },
    ]);
    await expect
      .poll(() => card.locator(".job-status").textContent(), POLL)
      .toMatch(/^2 images in .* kudos$/);
    expect(await card.locator("progress").evaluate((p) => (p as HTMLProgressElement).value)).toBe(2);
    const states = await page.evaluate(() => (window as unknown as { jobStates: string[] }).jobStates);
    expect(states[0]).toBe("submitting");
    expect(states).toContain("finished");
    expect(states.some((s) => s === "waiting" || s === "processing")).toBe(true);

    // The page went through the SDK's lifecycle: one submit, /check polls, one /status.
    expect(sent.filter((s) => s === "POST /api/v2/generate/async")).toHaveLength(1);
    expect(sent.some((s) => s.startsWith("GET /api/v2/generate/check/"))).toBe(true);
    expect(sent.filter((s) => s.startsWith("DELETE"))).toEqual([]);
    const stats = emulator.admin.stats();
    expect(stats.requests).toMatchObject({ total: 1, done: 1, cancelled: 0 });
    expect(stats.unfinished).toBe(0);

    // The panel catches up: the request is done, two jobs finished.
    await expect.poll(() => page.locator("#requests").textContent(), POLL).toContain("done");
    await expect.poll(() => page.locator("#stat-finished").textContent(), POLL).toBe("2");
    expect(errors).toEqual([]);

    const shot = await artifactPath("emulator-ui-finished.png");
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === "1" || !(await exists(DOCS_SCREENSHOT))) {
      // Kept small for the repository: a 96-colour palette PNG (about 60 KB instead of 200).
      await mkdir(`${repoRoot}docs/images`, { recursive: true });
      await sharp(shot)
        .png({ palette: true, colors: 96, dither: 0.6, compressionLevel: 9, effort: 10 })
        .toFile(DOCS_SCREENSHOT);
    }
  });

  it("cancels a job on the server", { timeout: 30_000 }, async () => {
    // A slow worker: the job is still processing when Cancel is pressed.
    const { page, emulator, sent, errors } = await open({
      devWorkers: [{ type: "image", generationMs: 60_000 }],
    });
    await page.getByLabel("Prompt").fill("a slow painting");
    await page.getByRole("button", { name: "Generate" }).click();
    const card = page.locator(".job").first();
    await page.locator('.job[data-state="processing"]').waitFor({ timeout: 15_000 });

    await card.getByRole("button", { name: /^Cancel/ }).click();
    await page.locator('.job[data-state="cancelled"]').waitFor({ timeout: 15_000 });
    expect(await card.locator(".badge").textContent()).toBe("Cancelled");
    expect(await card.locator(".job-status").textContent()).toMatch(/^Cancelled on the server after /);
    expect(sent.filter((s) => s.startsWith("DELETE /api/v2/generate/status/"))).toHaveLength(1);
    const stats = emulator.admin.stats();
    expect(stats.requests).toMatchObject({ total: 1, cancelled: 1 });
    expect(stats.unfinished).toBe(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: await artifactPath("emulator-ui-cancelled.png"), fullPage: true });
  });

  it("shows the SDK's validation error for bad input and sends nothing", { timeout: 30_000 }, async () => {
    const { page, emulator, sent, errors } = await open();
    const error = page.locator("#form-error");

    // An empty prompt (spaces are trimmed).
    await page.getByLabel("Prompt").fill("   ");
    await page.getByRole("button", { name: "Generate" }).click();
    await error.waitFor();
    expect(await error.textContent()).toBe(
      "Nothing was sent. Invalid ImageGenerateAsyncRequest: prompt: Too small: expected string to have >=1 characters",
    );
    expect(await page.getByLabel("Prompt").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByRole("alert").filter({ hasText: "Nothing was sent" }).count()).toBe(1);

    // An impossible size: 500 is not a multiple of 64.
    await page.getByLabel("Prompt").fill("a lighthouse");
    await page.getByLabel("Width").fill("500");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect.poll(() => error.textContent(), POLL).toContain("params.width");
    expect(await error.textContent()).toBe(
      "Nothing was sent. Invalid ImageGenerateAsyncRequest: params.width: Invalid number: must be a multiple of 64",
    );
    expect(await page.getByLabel("Width").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Prompt").getAttribute("aria-invalid")).toBeNull();
    await page.screenshot({ path: await artifactPath("emulator-ui-validation.png") });

    // Nothing reached the emulator, and no job card was made.
    expect(sent.filter((s) => s.startsWith("POST"))).toEqual([]);
    expect(emulator.admin.stats().requests.total).toBe(0);
    expect(await page.locator(".job").count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
