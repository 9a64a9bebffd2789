/**
 * The alchemy dev worker's "models": deterministic results for every form (docs/server/alchemy.md#alchemy).
 * Analysis forms read the
 * image's colours with sharp (or, when the source cannot be fetched offline, hash its URL); post-processors
 * return a real image: upscalers resize ×2 or ×4, face fixers re-encode, `strip_background` adds alpha.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import { isPostProcessorForm } from "../horde/reference/forms.js";
import { drawPicture } from "./draw.js";

/** What the alchemy dev worker makes of one form: the form's result and, for a post-processor, its picture. */
export interface FormOutput {
  result: Record<string, unknown>;
  /** For post-processors: the WebP to upload. */
  image?: Uint8Array<ArrayBuffer>;
}

/** Upscalers never produce more than this many pixels, whatever the factor. */
const MAX_UPSCALED_PIXELS = 4096 * 4096;

const COLOURS: [string, [number, number, number]][] = [
  ["red", [200, 40, 40]],
  ["orange", [230, 140, 40]],
  ["yellow", [230, 210, 60]],
  ["green", [60, 170, 70]],
  ["teal", [40, 150, 150]],
  ["blue", [50, 90, 200]],
  ["purple", [130, 60, 170]],
  ["pink", [230, 120, 170]],
  ["brown", [120, 80, 50]],
  ["grey", [128, 128, 128]],
  ["black", [20, 20, 20]],
  ["white", [235, 235, 235]],
];

function colourName(rgb: [number, number, number]): string {
  let best = COLOURS[0] as (typeof COLOURS)[number];
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of COLOURS) {
    const d = (c[1][0] - rgb[0]) ** 2 + (c[1][1] - rgb[1]) ** 2 + (c[1][2] - rgb[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best[0];
}

const hex = (rgb: readonly number[]) =>
  `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("")}`;

interface Facts {
  dominant: [number, number, number];
  mean: [number, number, number];
  width: number;
  height: number;
  /** 0–1, stable per image. */
  unit: number;
}

async function factsOf(bytes: Uint8Array | null, fallbackKey: string): Promise<Facts> {
  const digest = createHash("sha256")
    .update(bytes ?? fallbackKey)
    .digest();
  const unit = digest.readUInt32LE(0) / 4294967296;
  if (!bytes) {
    const c: [number, number, number] = [digest[4] as number, digest[5] as number, digest[6] as number];
    return { dominant: c, mean: c, width: 512, height: 512, unit };
  }
  const img = sharp(bytes);
  const [stats, meta] = await Promise.all([img.stats(), img.metadata()]);
  const d = stats.dominant;
  const mean = stats.channels.slice(0, 3).map((ch) => ch.mean) as [number, number, number];
  return {
    dominant: [d.r, d.g, d.b],
    mean: mean.length === 3 ? mean : [d.r, d.g, d.b],
    width: meta.width ?? 512,
    height: meta.height ?? 512,
    unit,
  };
}

function upscaleFactor(form: string): number {
  if (/x4|4x/i.test(form)) return 4;
  if (/x2|2x/i.test(form)) return 2;
  return 1;
}

async function postProcess(
  form: string,
  bytes: Uint8Array | null,
  key: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const source = bytes ?? (await drawPicture({ prompt: key, seed: 0, width: 512, height: 512 }));
  let img = sharp(source);
  const meta = await img.metadata();
  const factor = upscaleFactor(form);
  if (factor > 1) {
    const w = (meta.width ?? 512) * factor;
    const h = (meta.height ?? 512) * factor;
    const shrink = Math.min(1, Math.sqrt(MAX_UPSCALED_PIXELS / (w * h)));
    img = img.resize(Math.round(w * shrink), Math.round(h * shrink), { kernel: "lanczos3" });
  } else if (form === "strip_background") {
    img = img.ensureAlpha(0.9);
  } else {
    img = img.sharpen();
  }
  return new Uint8Array(await img.webp({ quality: 90 }).toBuffer());
}

/** The result of one form on one image (`bytes` null when the source could not be fetched). */
export async function runForm(
  form: string,
  bytes: Uint8Array | null,
  sourceKey: string,
): Promise<FormOutput> {
  if (isPostProcessorForm(form)) {
    return { result: { [form]: "R2" }, image: await postProcess(form, bytes, sourceKey) };
  }
  const f = await factsOf(bytes, sourceKey);
  const main = colourName(f.dominant);
  const second = colourName(f.mean);
  const shades = main === second ? main : `${main} and ${second}`;
  const orientation = f.width > f.height ? "landscape" : f.width < f.height ? "portrait" : "square";
  const caption = `an abstract ${orientation} picture in shades of ${shades}`;
  switch (form) {
    case "caption":
      return { result: { caption } };
    case "describe":
      return { result: { describe: `${caption}, with soft gradients and simple geometric shapes` } };
    case "nsfw":
      // Abstract shapes are never NSFW: the verdict is false.
      return { result: { nsfw: false } };
    case "interrogation":
      return {
        result: {
          interrogation: {
            tags: [
              { text: "abstract", confidence: 0.9 },
              { text: main, confidence: Math.round((0.6 + 0.3 * f.unit) * 100) / 100 },
              { text: orientation, confidence: 0.5 },
            ],
            mediums: [{ text: "digital art", confidence: 0.8 }],
          },
        },
      };
    case "palette":
      return { result: { palette: [hex(f.dominant), hex(f.mean)] } };
    case "aesthetic":
      return { result: { aesthetic: Math.round((4 + 4 * f.unit) * 100) / 100 } };
    case "vectorize":
      return {
        result: {
          vectorize: Array.from({ length: 8 }, (_, i) => Math.round(Math.sin(f.unit * 97 + i) * 1e4) / 1e4),
        },
      };
    default:
      return { result: { [form]: caption } };
  }
}
