/**
 * `horde worker` with a backend and a settings file, in-process against an emulator of its own (no dev
 * workers: every job goes to the worker under test) and fakes of the backend servers on 127.0.0.1.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createEmulator, type Emulator } from "horde-emulator";
import { AIHordeAPIClient } from "horde-sdk";
import { fakeA1111, fakeKoboldcpp, fakeOpenai } from "horde-test-support/sdk";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import type { CliDeps } from "../src/context.js";
import { forbiddenDeps, run, tempDir, testIO } from "./helpers.js";

const KEY = "bob-worker-key-0123456789";
const URL_FLAGS = ["--url", "http://horde.local/api", "--api-key", KEY];

let emu: Emulator;
let deps: CliDeps;
let client: AIHordeAPIClient;

// A fresh horde per test: what one test leaves queued must not be popped (or skipped) in the next.
beforeEach(() => {
  emu = createEmulator({
    rateLimits: false,
    users: [{ username: "bob", kudos: 5000, apikey: KEY, trusted: true }],
    logger: {},
  });
  deps = {
    createClient: (options) => new AIHordeAPIClient({ ...options, fetch: options.fetch ?? emu.fetch }),
    createEmulator: async () => ({ fetch: emu.fetch, close: async () => {} }),
  };
  client = new AIHordeAPIClient({ baseUrl: "http://horde.local/api", apiKey: KEY, fetch: emu.fetch });
});
afterEach(() => emu.close());

async function started<T extends { close(): Promise<void> }>(fake: Promise<T>): Promise<T> {
  const server = await fake;
  onTestFinished(() => server.close());
  return server;
}

/** Runs `horde worker …` until `check` is done, then Ctrl-C; the run's result. */
async function serve(
  args: string[],
  check: (stderr: () => string) => Promise<void>,
  env: Record<string, string> = {},
) {
  const t = testIO({ env });
  const running = run(["worker", ...args], { deps, io: t });
  try {
    await check(t.stderr);
  } finally {
    t.sigint();
  }
  return running;
}

const until = async (what: () => boolean) => {
  for (let i = 0; i < 400 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(what()).toBe(true);
};

describe("horde worker --backend", () => {
  it("koboldcpp: serves text jobs with the model the server names, no --type or --model needed", async () => {
    const fake = await started(fakeKoboldcpp());
    const r = await serve(
      ["--backend", "koboldcpp", "--backend-url", fake.url, "--name", "kcpp-1", "--json", ...URL_FLAGS],
      async (stderr) => {
        await until(() => /takes jobs/.test(stderr()));
        const result = await client.generateText({
          prompt: "The kobold said",
          models: ["koboldcpp/Fake-7B"],
          params: { max_length: 32 },
        });
        expect(result.texts).toEqual([" and the kobold hummed a tune."]);
        expect(result.generations[0]?.worker_name).toBe("kcpp-1");
        // the server's limits became the worker's
        const [details] = (await client.getWorkers({ type: "text" })).items.filter(
          (w) => w.name === "kcpp-1",
        );
        expect(details).toMatchObject({
          max_length: 512,
          max_context_length: 8192,
          models: ["koboldcpp/Fake-7B"],
        });
      },
    );
    expect(r.code).toBe(0);
    expect(r.errLines[0]).toBe(`horde: the koboldcpp backend at ${fake.url} answers (koboldcpp/Fake-7B)`);
    expect(r.errLines[1]).toBe(
      `horde: worker 'kcpp-1' (text: koboldcpp/Fake-7B) takes jobs from http://horde.local/api with the koboldcpp backend; Ctrl-C to stop`,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "kcpp-1", kind: "text", completed: 1, faulted: 0 });
    expect(fake.callsTo("POST", "/api/v1/generate")[0]?.body).toMatchObject({
      max_length: 32,
      genkey: expect.stringMatching(/^HORDEREQ_/),
    });
  });

  it("openai: the server's key comes from HORDE_BACKEND_API_KEY and is never printed; --backend-model names the model", async () => {
    const secret = "sk-backend-secret-123456";
    const fake = await started(fakeOpenai({ models: ["a.gguf", "b.gguf"], apiKey: secret }));
    const r = await serve(
      [
        "--backend",
        "openai",
        "--backend-url",
        `${fake.url}/v1`,
        "--model",
        "my-llm",
        "--backend-model",
        "b.gguf",
        "--name",
        "oai-1",
        ...URL_FLAGS,
      ],
      async (stderr) => {
        await until(() => /takes jobs/.test(stderr()));
        const result = await client.generateText({ prompt: "Once", models: ["my-llm"] });
        expect(result.texts[0]).toMatch(/lighthouse/);
      },
      { HORDE_BACKEND_API_KEY: secret },
    );
    expect(r.code).toBe(0);
    expect(fake.callsTo("POST", "/v1/completions")[0]?.body).toMatchObject({
      model: "b.gguf",
      prompt: "Once",
    });
    expect(r.stderr).not.toContain(secret);
    expect(r.stderr).toMatch(/^job \S+: done/m);
  });

  it("a backend that does not answer stops the worker before it pops (exit 3); one that cannot serve the model, exit 2", async () => {
    const down = await started(fakeKoboldcpp());
    await down.close();
    const gone = await run(["worker", "--backend", "koboldcpp", "--backend-url", down.url, ...URL_FLAGS], {
      deps,
    });
    expect(gone.code).toBe(3);
    expect(gone.errLines).toEqual([
      expect.stringMatching(
        /^horde: koboldcpp at http:\/\/127\.0\.0\.1:\d+ does not answer \(GET \/api\/v1\/model: [A-Z_]+\)$/,
      ),
    ]);

    const a1111 = await started(fakeA1111());
    const pops = emu.admin.stats();
    const wrong = await run(
      [
        "worker",
        "--backend",
        "a1111",
        "--backend-url",
        a1111.url,
        "--model",
        "Deliberate",
        "--backend-model",
        "Deliberate=nope",
        ...URL_FLAGS,
      ],
      { deps },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.errLines).toEqual([
      "horde: a1111: no checkpoint 'nope' for the model 'Deliberate' (it has deliberate_v3)",
    ]);
    expect(emu.admin.stats()).toEqual(pops);
  });

  it("usage errors: a backend of the wrong kind, a missing URL, mixed generators, a workflow for another backend", async () => {
    for (const [args, message] of [
      [
        ["--backend", "openai", "--type", "image", "--backend-url", "http://127.0.0.1:1"],
        /the openai backend serves text jobs, not image/,
      ],
      [["--backend", "a1111"], /--backend-url: the a1111 server's URL is needed/],
      [
        ["--backend", "a1111", "--backend-url", "http://127.0.0.1:1", "--dev"],
        /--dev and --backend cannot be used together/,
      ],
      [
        ["--backend", "a1111", "--backend-url", "http://127.0.0.1:1", "--workflow", "w.json"],
        /--workflow is for the comfyui backend, not a1111/,
      ],
      [
        [
          "--backend",
          "a1111",
          "--backend-url",
          "http://127.0.0.1:1",
          "--backend-model",
          "a",
          "--backend-model",
          "x=y",
        ],
        /--backend-model: give one name/,
      ],
      [["--backend", "vllm", "--backend-url", "http://127.0.0.1:1"], /argument 'vllm' is invalid/],
      [
        ["--backend", "koboldcpp", "--backend-url", "http://127.0.0.1:1", "--max-pixels", "4096"],
        /--max-pixels is for image workers, not text/,
      ],
    ] as [string[], RegExp][]) {
      const d = forbiddenDeps();
      const r = await run(["worker", ...args, ...URL_FLAGS], { deps: d });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.errLines, args.join(" ")).toHaveLength(1);
      expect(r.errLines[0], args.join(" ")).toMatch(message);
      expect(d.calls).toEqual([]);
    }
  });
});

describe("horde worker --config", () => {
  it("a YAML file sets the worker up (backend included); flags override it", async () => {
    const fake = await started(fakeA1111());
    const dir = await tempDir();
    const file = join(dir, "worker.yaml");
    await writeFile(
      file,
      [
        "name: from-the-file",
        "models: [Deliberate]",
        "max_pixels: 1048576",
        "threads: 1",
        "nsfw: false",
        "allow_img2img: false",
        "blacklist: [spider]",
        "priority_usernames: [carol#12]",
        "backend:",
        "  type: a1111",
        `  url: ${fake.url}`,
        "  model:",
        "    Deliberate: deliberate_v3",
        "",
      ].join("\n"),
    );
    const pops: unknown[] = [];
    const r = await serve(["--config", file, "--name", "from-the-flag", ...URL_FLAGS], async (stderr) => {
      await until(() => /takes jobs/.test(stderr()));
      const result = await client.generateImage({
        prompt: "a castle",
        nsfw: false,
        models: ["Deliberate"],
        params: { width: 64, height: 64 },
      });
      expect(result.images[0]?.generation.worker_name).toBe("from-the-flag");
      expect((await sharp(result.images[0]?.bytes as Uint8Array).metadata()).format).toBe("webp");
      pops.push(
        ...(await client.getWorkers({ type: "image" })).items.filter((w) => w.name === "from-the-flag"),
      );
    });
    expect(r.code).toBe(0);
    expect(fake.callsTo("POST", "/sdapi/v1/txt2img")[0]?.body.override_settings).toEqual({
      CLIP_stop_at_last_layers: 1,
      sd_model_checkpoint: "deliberate_v3",
    });
    expect(pops[0]).toMatchObject({
      max_pixels: 1048576,
      nsfw: false,
      img2img: false,
      painting: true,
      "post-processing": false,
      lora: false,
      models: ["Deliberate"],
      bridge_agent: "AI Horde Worker reGen:4.0.0:https://www.npmjs.com/package/horde-sdk",
    });
  });

  it("a JSON file too; with nothing to serve, it says why every idle_report_seconds", async () => {
    const dir = await tempDir();
    const file = join(dir, "worker.json");
    await writeFile(
      file,
      JSON.stringify({
        name: "idle-one",
        type: "image",
        dev: true,
        models: ["stable_diffusion"],
        max_pixels: 262144,
        idle_report_seconds: 1,
      }),
    );
    await client.submitImage({ prompt: "too big for it", params: { width: 1024, height: 1024 } });
    const r = await serve(["--config", file, ...URL_FLAGS], async (stderr) => {
      await until(() => /no jobs for/.test(stderr()));
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^horde: no jobs for \d+ s: 1 request needs more pixels than you allow$/m);
  });

  it("each problem is one line naming the file and the key (exit 2, nothing sent)", async () => {
    const dir = await tempDir();
    const cases: [string, string, RegExp][] = [
      [
        "a.yaml",
        "name: x\nmax_pixel: 5\ndev: true\n",
        /^horde: .*a\.yaml: unknown key 'max_pixel'; the keys are name, type, models/,
      ],
      [
        "b.yaml",
        "dev: true\nmax-pixels: 1048576\n",
        /b\.yaml: unknown key 'max-pixels' \(did you mean 'max_pixels'\?\)/,
      ],
      ["c.yaml", "dev: true\nthreads: lots\n", /c\.yaml: threads: must be a whole number from 1 to 50$/],
      ["d.yaml", "dev: true\nnsfw: sometimes\n", /d\.yaml: nsfw: must be true or false$/],
      ["e.yaml", "backend:\n  type: a1111\n", /e\.yaml: backend\.url: is required$/],
      [
        "f.yaml",
        "backend:\n  type: mystery\n  url: http://x\n",
        /f\.yaml: backend\.type: must be one of openai, koboldcpp, a1111, comfyui$/,
      ],
      ["g.yaml", "name: [unclosed\n", /g\.yaml: not valid YAML: /],
      ["h.json", "{ nope", /h\.json: not valid JSON: /],
      ["i.yaml", "- a\n- b\n", /i\.yaml: must be a mapping of settings/],
      [
        "j.yaml",
        "dev: true\npriority_usernames: [carol]\n",
        /j\.yaml: priority_usernames: must be a list of usernames with their id, like alias#1234$/,
      ],
      [
        "k.yaml",
        "dev: true\nbackend:\n  type: comfyui\n  url: http://x\n  nonsense: 1\n",
        /k\.yaml: unknown key 'backend\.nonsense'; the keys are type, url, model, workflow$/,
      ],
      [
        "m.yaml",
        "type: text\ndev: true\nallow_lora: true\n",
        /allow_lora in .*m\.yaml is for image workers, not text$/,
      ],
      ["l.toml", "dev = true\n", /--config .*l\.toml: the file must end in \.yaml, \.yml or \.json$/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(dir, name), text);
      const d = forbiddenDeps();
      const r = await run(["worker", "--config", join(dir, name), ...URL_FLAGS], { deps: d });
      expect(r.code, name).toBe(2);
      expect(r.errLines, name).toHaveLength(1);
      expect(r.errLines[0], name).toMatch(message);
      expect(d.calls, name).toEqual([]);
    }
    const missing = await run(["worker", "--config", join(dir, "none.yaml"), ...URL_FLAGS], {
      deps: forbiddenDeps(),
    });
    expect(missing.code).toBe(2);
    expect(missing.errLines[0]).toMatch(/^horde: cannot read .*none\.yaml: ENOENT/);
  });

  it("a comfyui workflow file is checked before anything is sent", async () => {
    const dir = await tempDir();
    const workflow = join(dir, "flow.json");
    await writeFile(
      workflow,
      JSON.stringify({ "1": { class_type: "KSampler", inputs: { seed: "{{sead}}" } } }),
    );
    const d = forbiddenDeps();
    const r = await run(
      [
        "worker",
        "--backend",
        "comfyui",
        "--backend-url",
        "http://127.0.0.1:1",
        "--workflow",
        workflow,
        ...URL_FLAGS,
      ],
      { deps: d },
    );
    expect(r.code).toBe(2);
    expect(r.errLines).toEqual([
      expect.stringMatching(
        /^horde: the workflow .*flow\.json: txt2img: uses \{\{sead\}\}, which is not one of model, prompt/,
      ),
    ]);
    expect(d.calls).toEqual([]);
  });
});
