import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AIHordeAPIClient,
  type GenerateImageOptions,
  type GenerateImageResult,
  type ImageGenerateAsyncPayload,
  ImageGenerateAsyncResponse,
  ImageGenerateCheckResponse,
  ImageGenerateStatusResponse,
} from "horde-sdk";
import { imageGenerationDoc, imageStatusDoc, progressDoc } from "horde-test-support/sdk";
import { afterEach } from "vitest";
import type { GenerateDeps } from "../src/commands/generate.js";
import { type CliIO, main } from "../src/main.js";

/** A fake client: the methods a test needs, typed as the real client (the CLI calls no others). */
export function asClient(methods: Partial<AIHordeAPIClient>): AIHordeAPIClient {
  return methods as AIHordeAPIClient;
}

export interface TestIO {
  io: CliIO;
  stdout(): string;
  stderr(): string;
  /** Fires the registered Ctrl-C handler, as a terminal would. */
  sigint(): void;
  exits: number[];
  /** How many SIGINT handlers are registered right now. */
  handlers(): number;
}

export function testIO(options: { tty?: boolean; env?: Record<string, string | undefined> } = {}): TestIO {
  let out = "";
  let err = "";
  const handlers = new Set<() => void>();
  const exits: number[] = [];
  const io: CliIO = {
    stdout: {
      write: (t) => {
        out += t;
      },
      isTTY: options.tty === true,
      columns: 100,
    },
    stderr: {
      write: (t) => {
        err += t;
      },
      isTTY: options.tty === true,
      columns: 100,
    },
    env: options.env ?? {},
    onSigint(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    exit: (code) => {
      exits.push(code);
    },
  };
  return {
    io,
    stdout: () => out,
    stderr: () => err,
    sigint: () => {
      for (const h of [...handlers]) h();
    },
    exits,
    handlers: () => handlers.size,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the trailing empty one. */
  errLines: string[];
}

export async function run(
  args: string[],
  options: { tty?: boolean; env?: Record<string, string | undefined>; deps?: GenerateDeps; io?: TestIO } = {},
): Promise<RunResult> {
  const t = options.io ?? testIO(options);
  const code = await main(["node", "horde", ...args], t.io, options.deps);
  const stderr = t.stderr();
  return { code, stdout: t.stdout(), stderr, errLines: stderr.split("\n").filter((l) => l !== "") };
}

/** A temp folder removed after the test. */
const dirs: string[] = [];
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "horde-cli-test-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Deps whose factories must never be called (usage errors send nothing). */
export function forbiddenDeps(): GenerateDeps & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    createClient() {
      calls.push("createClient");
      throw new Error("createClient must not be called");
    },
    async createEmulator() {
      calls.push("createEmulator");
      throw new Error("createEmulator must not be called");
    },
  };
}

export const JOB_ID = "0b7e3c1a-5d2f-4c9e-8a6b-1f2e3d4c5b6a";
const WORKER_ID = "9f8e7d6c-5b4a-4321-9876-0fedcba98765";

export function check(fields: Partial<Record<string, unknown>> = {}): ImageGenerateCheckResponse {
  return ImageGenerateCheckResponse.parse(progressDoc({ wait_time: 12, queue_position: 3, ...fields }));
}

/** A fake client: reports the given checks, then resolves with `n` images (or rejects with `error`). */
export function fakeDeps(
  script: {
    checks?: ImageGenerateCheckResponse[];
    error?: unknown;
    images?: number;
    bytes?: Uint8Array<ArrayBuffer> | null;
    onCall?: (payload: ImageGenerateAsyncPayload, options: GenerateImageOptions) => void;
  } = {},
): GenerateDeps & { payloads: ImageGenerateAsyncPayload[]; clientOptions: unknown[] } {
  const payloads: ImageGenerateAsyncPayload[] = [];
  const clientOptions: unknown[] = [];
  const client = asClient({
    async generateImage(payload, options: GenerateImageOptions = {}): Promise<GenerateImageResult> {
      const p = payload as ImageGenerateAsyncPayload;
      payloads.push(p);
      script.onCall?.(p, options);
      options.onSubmitted?.(ImageGenerateAsyncResponse.parse({ id: JOB_ID, kudos: 10 }));
      for (const c of script.checks ?? []) options.onProgress?.({ id: JOB_ID, kind: "image", progress: c });
      if (script.error !== undefined) throw script.error;
      const n = script.images ?? p.params?.n ?? 1;
      const generations = Array.from({ length: n }, (_, i) =>
        imageGenerationDoc(`gen-${i}`, {
          seed: String(1000 + i),
          worker_id: WORKER_ID,
          worker_name: "Fake Worker",
        }),
      );
      const status = ImageGenerateStatusResponse.parse(imageStatusDoc([], { finished: n, generations }));
      const bytes = script.bytes === undefined ? new Uint8Array([82, 73, 70, 70]) : script.bytes;
      return { id: JOB_ID, status, images: status.generations.map((generation) => ({ generation, bytes })) };
    },
  });
  return {
    payloads,
    clientOptions,
    createClient(options) {
      clientOptions.push(options);
      return client;
    },
    async createEmulator() {
      throw new Error("not local");
    },
  };
}

/** A local port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
