// Rows 1 and 2: what runtime validation costs on top of JSON.parse, for the same JSON text.
//   1. ImageGenerateStatusResponse.parse(JSON.parse(s)) vs JSON.parse(s): a 4-image base64 status (~2 MB) and a
//      20-image R2 status.
//   2. AllWorkersDetailsResponse.parse(JSON.parse(s)) vs JSON.parse(s): the 113-worker production capture, read
//      from ../shared at run time.
import { readFileSync } from "node:fs";
import { importSdk, sharedDir } from "../lib/env.mjs";
import { fmtSummary, interleave } from "../lib/timing.mjs";

const WORKERS_CAPTURE = `${sharedDir}conformance/horde-sdk-examples/example_production_responses/_v2_workers_get_200.json`;

/** A small deterministic PRNG (mulberry32), so every run parses the same bytes. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand, n) =>
  Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");
const uuid = (rand) => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;

/**
 * A WebP-sized base64 payload: a RIFF/WEBP header and incompressible bytes (a 512² Stable Diffusion WebP is
 * ~300–500 KB of entropy-coded data; the emulator's drawn pictures are only ~10 KB, too small for this row).
 */
function fakeWebpBase64(rand, bytes) {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = Math.floor(rand() * 256);
  buf.write("RIFF", 0, "latin1");
  buf.writeUInt32LE(bytes - 8, 4);
  buf.write("WEBPVP8 ", 8, "latin1");
  return buf.toString("base64");
}

/** A finished status in the server's shape (fields and order as in the corpus' RequestStatusStable). */
function statusJson(generations) {
  return JSON.stringify({
    finished: generations.length,
    processing: 0,
    restarted: 0,
    waiting: 0,
    done: true,
    faulted: false,
    wait_time: 0,
    queue_position: 0,
    kudos: 10.0 * generations.length,
    is_possible: true,
    generations,
    shared: false,
  });
}

function generation(rand, img, i) {
  return {
    worker_id: uuid(rand),
    worker_name: `Benchmark Worker ${i % 3}`,
    model: "AlbedoBase XL (SDXL)",
    state: "ok",
    img,
    seed: String(Math.floor(rand() * 2 ** 32)),
    id: uuid(rand),
    censored: false,
    gen_metadata: i % 2 === 0 ? [] : [{ type: "lora", value: "download_failed", ref: "247778" }],
  };
}

export function base64Status() {
  const rand = prng(1);
  // 4 × 375,000 bytes → 4 × 500,000 base64 characters: a ~2 MB body.
  return statusJson(Array.from({ length: 4 }, (_, i) => generation(rand, fakeWebpBase64(rand, 375_000), i)));
}

export function r2Status() {
  const rand = prng(2);
  const url = () => {
    const id = uuid(rand);
    return (
      `https://a223539ccf6caa2d76459c9727d276e6.r2.cloudflarestorage.com/stable-horde/${id}.webp` +
      `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${hex(rand, 32)}%2F20261127%2Fauto%2Fs3%2Faws4_request` +
      `&X-Amz-Date=20261127T093000Z&X-Amz-Expires=1800&X-Amz-SignedHeaders=host&X-Amz-Signature=${hex(rand, 64)}`
    );
  };
  return statusJson(Array.from({ length: 20 }, (_, i) => generation(rand, url(), i)));
}

const size = (n) => (n >= 100_000 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1000).toFixed(1)} kB`);

export async function run({ quick }) {
  const { AllWorkersDetailsResponse, ImageGenerateStatusResponse, decodeBase64, setModelLogger, silentLogger } =
    await importSdk();
  setModelLogger?.(silentLogger);
  const rounds = quick ? 7 : 21;
  const rows = [];

  const cases = [
    {
      id: "1a",
      what: "validation cost: 4-image base64 status",
      text: base64Status(),
      parse: (s) => ImageGenerateStatusResponse.parse(JSON.parse(s)),
      target: 1.05,
      how:
        "a finished status in the server's shape built by the script: 4 generations whose `img` is base64 of " +
        "375,000 incompressible bytes behind a RIFF/WEBP header (the size of a real 512² SD WebP; the dev " +
        "worker's drawings are ~10 KB)",
    },
    {
      id: "1b",
      what: "validation cost: 20-image R2 status",
      text: r2Status(),
      parse: (s) => ImageGenerateStatusResponse.parse(JSON.parse(s)),
      target: 1.5,
      how: "20 generations whose `img` is a presigned R2 URL of the real shape (~400 characters)",
    },
    {
      id: "2",
      what: "list parsing: 113-worker production capture",
      text: readFileSync(WORKERS_CAPTURE, "utf8"),
      parse: (s) => AllWorkersDetailsResponse.parse(JSON.parse(s)),
      target: 2.0,
      how: "the production capture, 113 workers, read from ../shared at run time",
    },
  ];
  for (const c of cases) {
    // Sanity: the parse really yields the objects (and the same input feeds both sides).
    const parsed = c.parse(c.text);
    const count = parsed.generations?.length ?? parsed.items?.length;
    let sink = 0;
    const result = await interleave({
      a: () => {
        sink += c.parse(c.text) ? 1 : 0;
      },
      b: () => {
        sink += JSON.parse(c.text) ? 1 : 0;
      },
      rounds,
      warmup: 3,
      targetMs: 60,
    });
    if (sink === 0) throw new Error("nothing parsed");
    rows.push({
      id: c.id,
      what: `${c.what} (${size(c.text.length)}, ${count} ${parsed.generations ? "generations" : "workers"})`,
      a: `\`${c.id === "2" ? "AllWorkersDetailsResponse" : "ImageGenerateStatusResponse"}.parse(JSON.parse(s))\`: ${fmtSummary(result.a)}`,
      b: `\`JSON.parse(s)\`: ${fmtSummary(result.b)}`,
      ratio: result.ratio,
      target: `≤ ${c.target.toFixed(2)}`,
      met: result.ratio.median <= c.target,
      detail: `${c.how}; ${result.batch.a} (A) / ${result.batch.b} (B) calls per sample, the same string for both`,
    });
  }

  // 1c: turning one image's base64 into bytes, the SDK's decoder against Node's own.
  const image = JSON.parse(base64Status()).generations[0].img;
  let bytes = 0;
  const b64 = await interleave({
    a: () => {
      bytes += decodeBase64(image).length;
    },
    b: () => {
      bytes += Buffer.from(image, "base64").length;
    },
    rounds,
    warmup: 3,
    targetMs: 60,
  });
  if (bytes === 0) throw new Error("nothing decoded");
  rows.push({
    id: "1c",
    what: `base64 decoding of one image (${size(image.length)} of base64)`,
    a: `\`decodeBase64(img)\`: ${fmtSummary(b64.a)}`,
    b: `\`Buffer.from(img, "base64")\`: ${fmtSummary(b64.b)}`,
    ratio: b64.ratio,
    target: "≤ 1.10",
    met: b64.ratio.median <= 1.1,
    detail: `the first image of 1a; ${b64.batch.a} (A) / ${b64.batch.b} (B) calls per sample. In browsers the SDK uses atob in one pass`,
  });
  return rows;
}

// For a quick look: `node bench/rows/validation.mjs`
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await run({ quick: true }));
}
