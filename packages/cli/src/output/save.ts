import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** The fields of an `ImageGeneration` (GenerationStable) that the CLI reads. */
export interface GenerationInfo {
  id?: string | null | undefined;
  seed?: string | number | null | undefined;
  model?: string | null | undefined;
  worker_id?: string | null | undefined;
  worker_name?: string | null | undefined;
  censored?: boolean | null | undefined;
  state?: string | null | undefined;
  gen_metadata?: unknown;
}

export interface DownloadedImage {
  generation: GenerationInfo;
  bytes: Uint8Array | null;
}

/** What the sidecar records about the request besides the generation. */
export interface SidecarRequest {
  prompt: string;
  params: Record<string, unknown>;
  models?: string[] | undefined;
  /** Where the job ran: the API base URL, or a note for the local emulator. */
  server: string;
  /** Other request fields worth keeping (source processing, LoRAs, post-processing, …). */
  extra?: Record<string, unknown> | undefined;
}

/** The file format images are saved in: as delivered (WebP), or converted to PNG with sharp. */
export type OutputFormat = "webp" | "png";

/** Converts delivered WebP bytes to the output format. */
export async function encodeAs(bytes: Uint8Array, format: OutputFormat): Promise<Uint8Array> {
  if (format === "webp") return bytes;
  // Loaded on demand: most runs save WebP as delivered.
  const { default: sharp } = await import("sharp");
  return new Uint8Array(await sharp(bytes).png().toBuffer());
}

/** One saved image: its path and what is known about it. */
export interface SavedImage {
  path: string;
  sidecar: string;
  seed: string | null;
  model: string | null;
  worker_id: string | null;
  worker_name: string | null;
  censored: boolean;
}

/** Creates the output folder (before anything is sent, so a bad `--out` costs no kudos). */
export async function ensureOutDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export function imagePath(dir: string, id: string, index: number, format: OutputFormat = "webp"): string {
  return join(dir, `${id}-${index}.${format}`);
}

function str(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return String(value);
}

/**
 * Writes `<dir>/<id>-<n>.webp` (or `.png`) and the sidecar `<dir>/<id>-<n>.json` for each image. Images
 * without bytes (the download failed) are skipped and reported in `missing`. Paths are reported as `dir` was
 * given; a relative `dir` is written relative to `cwd`.
 */
export async function saveImages(
  dir: string,
  id: string,
  images: readonly DownloadedImage[],
  request: SidecarRequest,
  cwd: string,
  format: OutputFormat = "webp",
): Promise<{ saved: SavedImage[]; missing: number[] }> {
  await ensureOutDir(resolve(cwd, dir));
  const saved: SavedImage[] = [];
  const missing: number[] = [];
  for (const [index, image] of images.entries()) {
    if (!image.bytes) {
      missing.push(index);
      continue;
    }
    const g = image.generation;
    const path = imagePath(dir, id, index, format);
    const sidecar = join(dir, `${id}-${index}.json`);
    const info: SavedImage = {
      path,
      sidecar,
      seed: str(g.seed),
      model: str(g.model),
      worker_id: str(g.worker_id),
      worker_name: str(g.worker_name),
      censored: g.censored === true,
    };
    await writeFile(resolve(cwd, path), await encodeAs(image.bytes, format));
    const meta = {
      request_id: id,
      generation_id: str(g.id),
      index,
      prompt: request.prompt,
      seed: info.seed,
      model: info.model,
      worker_id: info.worker_id,
      worker_name: info.worker_name,
      censored: info.censored,
      state: str(g.state),
      gen_metadata: g.gen_metadata ?? [],
      params: request.params,
      models: request.models ?? null,
      ...(request.extra ?? {}),
      server: request.server,
      file: `${id}-${index}.${format}`,
      format,
      saved_at: new Date().toISOString(),
    };
    await writeFile(resolve(cwd, sidecar), `${JSON.stringify(meta, null, 2)}\n`);
    saved.push(info);
  }
  return { saved, missing };
}

/** The `--json` document. Its shape is stable: scripts rely on it. */
export interface JsonResult {
  id: string;
  images: {
    path: string;
    seed: string | null;
    model: string | null;
    worker_id: string | null;
    worker_name: string | null;
    censored: boolean;
  }[];
  kudos: number | null;
}

export function jsonResult(id: string, saved: readonly SavedImage[], kudos: number | undefined): JsonResult {
  return {
    id,
    images: saved.map((s) => ({
      path: s.path,
      seed: s.seed,
      model: s.model,
      worker_id: s.worker_id,
      worker_name: s.worker_name,
      censored: s.censored,
    })),
    kudos: kudos ?? null,
  };
}
