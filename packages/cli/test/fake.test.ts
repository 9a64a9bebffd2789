import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AIHordeRequestError,
  HordeAbortError,
  HordeConnectionError,
  HordeJobError,
  HordeTimeoutError,
  HordeValidationError,
} from "horde-sdk";
import { describe, expect, it } from "vitest";
import { asClient, check, fakeDeps, JOB_ID, run, tempDir, testIO } from "./helpers.js";

describe("payload and configuration", () => {
  it("sends the flags as the POST /v2/generate/async body", async () => {
    const deps = fakeDeps();
    const out = await tempDir();
    const r = await run(
      [
        "generate",
        "a",
        "red",
        "fox",
        "--out",
        out,
        "-n",
        "2",
        "--width",
        "768",
        "--height",
        "320",
        "--steps",
        "12",
        "--seed",
        "42",
        "--model",
        "A,B",
        "-m",
        "C",
        "--sampler",
        "k_euler",
        "--negative",
        "blurry",
      ],
      { deps },
    );
    expect(r.code).toBe(0);
    expect(deps.payloads).toEqual([
      {
        prompt: "a red fox ### blurry",
        params: { width: 768, height: 320, steps: 12, n: 2, seed: "42", sampler_name: "k_euler" },
        models: ["A", "B", "C"],
        r2: true,
      },
    ]);
  });

  it("sends the rest of the image options: workers, censorship, r2, inpainting, remix", async () => {
    const dir = await tempDir();
    const webp = join(dir, "in.webp");
    // RIFF....WEBP: enough for the CLI's image check (the fake client never decodes it).
    await writeFile(webp, new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0, 87, 69, 66, 80, 86, 80, 56, 32]));
    const deps = fakeDeps();
    const base = ["generate", "x", "--out", dir];
    const runs: string[][] = [
      [
        "--nsfw",
        "--worker",
        "w1,w2",
        "--no-r2",
        "--no-karras",
        "--hires-fix",
        "--tiling",
        "--clip-skip",
        "2",
      ],
      ["--censor", "--exclude-worker", "w3", "--trusted-workers", "--facefixer-strength", "0.5"],
      ["--image", webp, "--mask", webp],
      ["--image", webp, "--source-processing", "remix", "--extra-image", webp, "--extra-image", webp],
    ];
    for (const args of runs) expect((await run([...base, ...args], { deps })).code, args.join(" ")).toBe(0);
    const [a, b, c, d] = deps.payloads;
    expect(a).toMatchObject({
      nsfw: true,
      censor_nsfw: false,
      workers: ["w1", "w2"],
      r2: false,
      params: { karras: false, hires_fix: true, tiling: true, clip_skip: 2 },
    });
    expect(a?.worker_blacklist).toBeUndefined();
    expect(b).toMatchObject({
      nsfw: false,
      censor_nsfw: true,
      workers: ["w3"],
      worker_blacklist: true,
      trusted_workers: true,
      params: { facefixer_strength: 0.5 },
    });
    const base64 = "UklGRgAAAABXRUJQVlA4IA==";
    expect(c).toMatchObject({ source_image: base64, source_mask: base64, source_processing: "inpainting" });
    expect(d).toMatchObject({
      source_processing: "remix",
      extra_source_images: [{ image: base64 }, { image: base64 }],
    });
    expect(d?.source_mask).toBeUndefined();
  });

  it("uses HORDE_URL, HORDE_API_KEY and HORDE_CLIENT_AGENT; flags win", async () => {
    const deps = fakeDeps();
    const out = await tempDir();
    const env = {
      HORDE_URL: "https://example.test/api/",
      HORDE_API_KEY: "env-key-123456789",
      HORDE_CLIENT_AGENT: "a:1:b",
    };
    await run(["generate", "x", "--out", out], { deps, env });
    await run(
      ["generate", "x", "--out", out, "--url", "http://other.test/api", "--api-key", "flag-key-123456"],
      {
        deps,
        env,
      },
    );
    expect(deps.clientOptions[0]).toMatchObject({
      baseUrl: "https://example.test/api",
      apiKey: "env-key-123456789",
      clientAgent: "a:1:b",
    });
    expect(deps.clientOptions[1]).toMatchObject({
      baseUrl: "http://other.test/api",
      apiKey: "flag-key-123456",
    });
  });

  it("defaults to the real horde and the anonymous key", async () => {
    const deps = fakeDeps();
    await run(["generate", "x", "--out", await tempDir()], { deps });
    expect(deps.clientOptions[0]).toMatchObject({
      baseUrl: "https://aihorde.net/api",
      apiKey: "0000000000",
      clientAgent: expect.stringMatching(/^horde-cli:\d/),
    });
  });
});

describe("output", () => {
  it("saves <id>-<n>.webp and sidecars, and prints the paths one per line", async () => {
    const out = await tempDir();
    const r = await run(["generate", "a cat", "--out", out, "-n", "2"], { deps: fakeDeps() });
    expect(r.code).toBe(0);
    const paths = [join(out, `${JOB_ID}-0.webp`), join(out, `${JOB_ID}-1.webp`)];
    expect(r.stdout).toBe(`${paths.join("\n")}\n`);
    expect([...(await readFile(paths[0] as string))]).toEqual([82, 73, 70, 70]);
    const sidecar = JSON.parse(await readFile(join(out, `${JOB_ID}-1.json`), "utf8"));
    expect(sidecar).toMatchObject({
      request_id: JOB_ID,
      index: 1,
      prompt: "a cat",
      seed: "1001",
      model: "stable_diffusion",
      worker_id: "9f8e7d6c-5b4a-4321-9876-0fedcba98765",
      worker_name: "Fake Worker",
      censored: false,
    });
  });

  it("--json prints exactly one JSON document with the stable shape", async () => {
    const out = await tempDir();
    const r = await run(["generate", "a cat", "--out", out, "--json"], {
      deps: fakeDeps({ checks: [check(), check({ done: true, finished: 1, waiting: 0 })] }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual({
      id: JOB_ID,
      images: [
        {
          path: join(out, `${JOB_ID}-0.webp`),
          seed: "1000",
          model: "stable_diffusion",
          worker_id: "9f8e7d6c-5b4a-4321-9876-0fedcba98765",
          worker_name: "Fake Worker",
          censored: false,
        },
      ],
      kudos: 13,
    });
    expect(r.stderr).toBe("");
  });

  it("prints plain progress lines on a non-TTY stderr, one per change", async () => {
    const checks = [
      check({ waiting: 2, queue_position: 3, wait_time: 20 }),
      check({ waiting: 2, queue_position: 3, wait_time: 19 }),
      check({ waiting: 1, processing: 1, queue_position: 1, wait_time: 8 }),
      check({ waiting: 0, processing: 1, finished: 1, queue_position: 0, wait_time: 4, kudos: 8 }),
      check({
        waiting: 0,
        processing: 0,
        finished: 2,
        done: true,
        queue_position: 0,
        wait_time: 0,
        kudos: 13,
      }),
    ];
    const r = await run(["generate", "a cat", "-n", "2", "--out", await tempDir()], {
      deps: fakeDeps({ checks }),
    });
    expect(r.code).toBe(0);
    expect(r.errLines).toEqual([
      `job ${JOB_ID}: submitted — 2 images, 512x512, 30 steps, on aihorde.net`,
      `job ${JOB_ID}: waiting — queue 3, eta 20s, 0/2 finished, 3 kudos`,
      `job ${JOB_ID}: processing — queue 1, 1 waiting, eta 8s, 0/2 finished, 3 kudos`,
      `job ${JOB_ID}: processing — eta 4s, 1/2 finished, 8 kudos`,
      `job ${JOB_ID}: finished — 2/2 finished, 13 kudos`,
      `job ${JOB_ID}: done — 2/2 downloaded, 13 kudos`,
    ]);
  });

  it("draws the live progress line on a TTY stderr and keeps stdout for the paths", async () => {
    const out = await tempDir();
    const checks = [check(), check({ waiting: 0, processing: 1, queue_position: 0, wait_time: 3 })];
    const r = await run(["generate", "a cat", "--out", out], { tty: true, deps: fakeDeps({ checks }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${join(out, `${JOB_ID}-0.webp`)}\n`);
    expect(r.stderr).toContain(JOB_ID.slice(0, 8));
    expect(r.stderr).toContain("1/1 finished");
    expect(r.stderr).toContain("13 kudos");
    expect(r.stderr).toContain("\x1B[?25h"); // the cursor is shown again
  });

  it("exits 3 and names the failure when an image could not be downloaded", async () => {
    const out = await tempDir();
    const r = await run(["generate", "a cat", "--out", out, "--json"], { deps: fakeDeps({ bytes: null }) });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).images).toEqual([]);
    expect(r.errLines).toEqual([`horde: 1 of 1 images of job ${JOB_ID} could not be downloaded`]);
  });
});

describe("errors from the SDK", () => {
  const requestError = (
    status: number,
    rc: string | null,
    message: string,
    errors?: Record<string, string>,
  ) =>
    new AIHordeRequestError({
      status,
      rc,
      message,
      errors: errors ?? null,
      method: "POST",
      url: "https://aihorde.net/api/v2/generate/async",
    });

  const cases: [string, unknown, number, RegExp][] = [
    [
      "a validation error names the field and its flag",
      new HordeValidationError("ImageGenerateAsyncRequest", [
        { path: "params.width", message: "must be ≤ 3072" },
      ]),
      2,
      /^horde: invalid params\.width \(--width\): must be ≤ 3072$/,
    ],
    [
      "KudosUpfront explains what to lower",
      requestError(
        403,
        "KudosUpfront",
        "Due to heavy demand, for requests over 1024x1024 or over 50 steps...",
      ),
      2,
      /kudos upfront.*--width\/--height.*--steps.*-n/,
    ],
    [
      "TooManyPrompts explains the concurrency limit",
      requestError(429, "TooManyPrompts", "Parallel requests (31) exceeded user limit (30)."),
      3,
      /too many requests in flight.*caps how many images one account may have queued at once/,
    ],
    [
      "a payload validation 400 lists the fields",
      requestError(400, null, "Input payload validation failed", {
        "params.steps": "501 is greater than 500",
      }),
      2,
      /rejected the request: params\.steps \(--steps\): 501 is greater than 500/,
    ],
    [
      "a 500 is a server error",
      requestError(500, null, "Internal Server Error"),
      3,
      /^horde: server error \(HTTP 500\): Internal Server Error$/,
    ],
    [
      "a 404 without rc hints at a wrong URL",
      requestError(404, null, "HTTP 404"),
      3,
      /^horde: server error \(HTTP 404\) \(is the URL an AI Horde API\? It usually ends in \/api\)$/,
    ],
    ["maintenance mode", requestError(400, "MaintenanceMode", "Maintenance"), 3, /maintenance mode.*--local/],
    [
      "a rate limit",
      requestError(429, null, "2 per 1 second"),
      3,
      /rate limited by the server \(2 per 1 second\)/,
    ],
    [
      "a network failure suggests --local",
      new HordeConnectionError(
        "POST https://aihorde.net/api/v2/generate/async failed: fetch failed (ENOTFOUND)",
        "POST",
        "https://aihorde.net/api/v2/generate/async",
        {
          cause: new TypeError("fetch failed", {
            cause: Object.assign(new Error("getaddrinfo ENOTFOUND aihorde.net"), { code: "ENOTFOUND" }),
          }),
        },
      ),
      3,
      /cannot reach https:\/\/aihorde\.net\/api: .*ENOTFOUND.*try --local/,
    ],
    ["a timeout", new HordeTimeoutError("generateImage timed out"), 3, /timed out/],
    [
      "a faulted job",
      new HordeJobError(`image request ${JOB_ID} faulted on the server`, JOB_ID, "faulted"),
      1,
      new RegExp(`job ${JOB_ID} faulted`),
    ],
    [
      "an impossible job",
      new HordeJobError("impossible", JOB_ID, "impossible"),
      1,
      /no worker can serve job .*smaller size/,
    ],
    ["an expired job", new HordeJobError("expired", JOB_ID, "expired"), 1, /expired/],
    ["a bug", new TypeError("x is not a function"), 1, /unexpected error: x is not a function/],
  ];
  it.each(cases)("%s", async (_name, error, code, message) => {
    const r = await run(["generate", "a cat", "--out", await tempDir()], { deps: fakeDeps({ error }) });
    expect(r.code).toBe(code);
    expect(r.stdout).toBe("");
    const errors = r.errLines.filter((l) => l.startsWith("horde: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("never prints the API key, even when the server echoes it", async () => {
    const key = "s3cr3t-api-key-abcdef";
    const error = requestError(401, "InvalidAPIKey", `API key ${key} not found`);
    const r = await run(["generate", "a cat", "--out", await tempDir(), "--api-key", key], {
      deps: fakeDeps({ error }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(key);
    expect(r.stderr).toContain("****cdef");
  });
});

describe("--timeout", () => {
  it("bounds the whole run: the signal aborts with a timeout, exit 3", async () => {
    const deps = fakeDeps();
    let failWhenImpossible: boolean | undefined;
    deps.createClient = () =>
      asClient({
        generateImage: (_payload, options = {}) =>
          new Promise((_resolve, reject) => {
            failWhenImpossible = options.failWhenImpossible;
            options.onSubmitted?.({ id: JOB_ID } as never);
            // As the SDK does: cancel, then reject with the abort reason when it is a timeout.
            options.signal?.addEventListener("abort", () => reject(options.signal?.reason));
          }),
      });
    const started = Date.now();
    const r = await run(["generate", "a cat", "--out", await tempDir(), "--timeout", "0.2"], { deps });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.code).toBe(3);
    expect(r.errLines.at(-1)).toBe(
      `horde: timed out after 0.2s waiting for job ${JOB_ID}; it was cancelled on the server`,
    );
    expect(failWhenImpossible).toBe(true);
  });
});

describe("Ctrl-C", () => {
  it("aborts the signal, reports the cancelled job and exits 130", async () => {
    const t = testIO();
    const deps = fakeDeps();
    let abortedWhenRejecting: boolean | undefined;
    deps.createClient = () =>
      asClient({
        async generateImage(_payload, options = {}) {
          options.onSubmitted?.({ id: JOB_ID } as never);
          t.sigint();
          abortedWhenRejecting = options.signal?.aborted;
          throw new HordeAbortError("generateImage was aborted");
        },
      });
    const r = await run(["generate", "a cat", "--out", await tempDir()], { deps, io: t });
    expect(abortedWhenRejecting).toBe(true);
    expect(r.code).toBe(130);
    expect(r.errLines.at(-1)).toBe(`horde: cancelled: job ${JOB_ID} was cancelled on the server`);
    expect(t.exits).toEqual([]);
    expect(t.handlers()).toBe(0);
  });

  it("a second Ctrl-C exits at once", async () => {
    const t = testIO();
    const deps = fakeDeps();
    deps.createClient = () =>
      asClient({
        generateImage: (_payload, options = {}) =>
          new Promise(() => {
            options.onSubmitted?.({ id: JOB_ID } as never);
            t.sigint();
            t.sigint();
          }),
      });
    const r = await run(["generate", "a cat", "--out", await tempDir()], { deps, io: t });
    expect(r.code).toBe(130);
    expect(t.exits).toEqual([130]);
    expect(r.errLines.at(-1)).toMatch(/^horde: interrupted; job .* may still be running/);
  });
});
