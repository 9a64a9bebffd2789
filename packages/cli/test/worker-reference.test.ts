/**
 * `horde worker` reads the model reference for image workers: the published one through its client (here a
 * fake of the file in the tests, nothing reaches the internet), the emulator's bundled copy against a horde
 * on this machine, none with --no-model-reference; a reference that cannot be loaded is only reported.
 */
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient, IMAGE_MODEL_REFERENCE_URL } from "horde-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliDeps } from "../src/context.js";
import { run, testIO } from "./helpers.js";

const KEY = "bob-worker-key-0123456789";

/** The published file's shape: keyed by name. */
const REFERENCE = {
  stable_diffusion: {
    name: "stable_diffusion",
    baseline: "stable diffusion 1",
    inpainting: false,
    nsfw: false,
  },
  "A-Zovya RPG Inpainting": {
    name: "A-Zovya RPG Inpainting",
    baseline: "stable diffusion 1",
    inpainting: true,
    nsfw: false,
  },
};

let emu: Emulator;
let client: AIHordeAPIClient;
/** The requests for the reference file (with their apikey header), the pops' bodies. */
let referenceAsks: { apikey: string | null }[];
let pops: Record<string, unknown>[];
let referenceStatus: number;

function deps(): CliDeps {
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.url === IMAGE_MODEL_REFERENCE_URL) {
      referenceAsks.push({ apikey: request.headers.get("apikey") });
      return Response.json(REFERENCE, { status: referenceStatus });
    }
    if (new URL(request.url).hostname !== "horde.local" && new URL(request.url).hostname !== "127.0.0.1") {
      throw new TypeError(`the test does not reach ${request.url}`);
    }
    if (request.url.endsWith("/v2/generate/pop")) pops.push(await request.clone().json());
    return emu.fetch(request);
  };
  return {
    createClient: (options) => new AIHordeAPIClient({ ...options, fetch }),
    createEmulator: async () => ({ fetch: emu.fetch, close: async () => {} }),
  };
}

beforeEach(() => {
  emu = createEmulator({
    rateLimits: false,
    users: [{ username: "bob", kudos: 5000, apikey: KEY, trusted: true }],
    logger: {},
  });
  client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", apiKey: KEY, fetch: emu.fetch });
  referenceAsks = [];
  pops = [];
  referenceStatus = 200;
});
afterEach(() => emu.close());

const until = async (what: () => boolean) => {
  for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(what()).toBe(true);
};

/** Runs `horde worker --dev …` until `check` is done, then Ctrl-C. */
async function serve(args: string[], check: (stderr: () => string) => Promise<void> = async () => {}) {
  const t = testIO();
  const running = run(["worker", "--dev", "--api-key", KEY, ...args], { deps: deps(), io: t });
  try {
    await until(() => /takes jobs/.test(t.stderr()) && pops.length > 0);
    await check(t.stderr);
  } finally {
    t.sigint();
  }
  return running;
}

describe("horde worker and the model reference", () => {
  it("reads the published reference (without the key): warns about an unknown model, no painting without an inpainting model", async () => {
    const r = await serve(
      ["--url", "http://horde.local/api", "-m", "stable_diffusion,Nope Model"],
      async () => {
        const result = await client.generateImage({
          prompt: "a lighthouse",
          params: { width: 64, height: 64, steps: 5 },
        });
        expect(result.images).toHaveLength(1);
      },
    );
    expect(r.code).toBe(0);
    expect(referenceAsks).toEqual([{ apikey: null }]);
    expect(r.stderr).toContain(
      "horde: the AI Horde's model reference does not know 'Nope Model': the horde sends no jobs for it (unless you have the customizer role)",
    );
    expect(r.stderr).toContain(
      "horde: read the AI Horde's model reference: painting jobs off (allow_painting is off, or no inpainting model is served)",
    );
    expect(pops.every((p) => p.allow_painting === false)).toBe(true);
  });

  it("an inpainting model turns painting on; --no-model-reference reads nothing and keeps the default", async () => {
    const on = await serve([
      "--url",
      "http://horde.local/api",
      "-m",
      "stable_diffusion,A-Zovya RPG Inpainting",
    ]);
    expect(on.stderr).toContain("painting jobs on");
    expect(pops.every((p) => p.allow_painting === true)).toBe(true);

    referenceAsks = [];
    pops = [];
    const off = await serve([
      "--url",
      "http://horde.local/api",
      "--no-model-reference",
      "-m",
      "stable_diffusion",
    ]);
    expect(off.code).toBe(0);
    expect(referenceAsks).toEqual([]);
    expect(off.stderr).not.toContain("model reference");
    expect(pops[0]?.allow_painting).toBe(true);
  });

  it("against a horde on this machine it reads the emulator's bundled reference, never the published one", async () => {
    const r = await serve([
      "--url",
      "http://127.0.0.1:7001/api",
      "-m",
      "stable_diffusion,A-Zovya RPG Inpainting",
    ]);
    expect(r.code).toBe(0);
    expect(referenceAsks).toEqual([]);
    expect(r.stderr).toContain("horde: read the bundled model reference: painting jobs on");
  });

  it("a reference that cannot be loaded is reported, and the worker serves jobs all the same", async () => {
    referenceStatus = 404;
    const r = await serve(["--url", "http://horde.local/api"], async () => {
      const result = await client.generateImage({
        prompt: "still",
        params: { width: 64, height: 64, steps: 5 },
      });
      expect(result.images).toHaveLength(1);
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^horde: the AI Horde's model reference could not be loaded \(.*HTTP 404.*\); serving with the settings as given$/m,
    );
    expect(pops[0]?.allow_painting).toBe(true);
  });

  it("--no-model-reference is for image workers", async () => {
    const r = await run(
      [
        "worker",
        "--dev",
        "--type",
        "text",
        "--no-model-reference",
        "--url",
        "http://horde.local/api",
        "--api-key",
        KEY,
      ],
      { deps: deps() },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--no-model-reference is for image workers, not text");
  });
});
