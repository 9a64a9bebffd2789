/**
 * Source image URLs are downloaded at submit, with the server's limits and refusals
 * (docs/server/alchemy.md#submit, docs/server/image-requests.md#submit-order step 9), from a server on
 * loopback: an image, text, nothing, too much, a body that never comes.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setup } from "horde-test-support/emulator";
import { solidPng } from "horde-test-support/sdk";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

let server: Server;
let base = "";
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  const png = await solidPng(1100, 600, "#336699");
  const huge = await sharp({ create: { width: 8192, height: 8200, channels: 3, background: "#000000" } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  server = createServer((req, res) => {
    switch (req.url) {
      case "/cat.png":
        return res.end(png);
      case "/huge.png":
        return res.end(huge);
      case "/text":
        return res.end("hello, not an image");
      case "/empty":
        return res.end();
      case "/declared-big":
        res.writeHead(200, { "Content-Length": String(6 * 1024 * 1024) });
        return res.write(Buffer.alloc(1024));
      case "/streamed-big": {
        res.writeHead(200, { "Content-Type": "application/octet-stream" });
        const mib = Buffer.alloc(1024 * 1024, 7);
        for (let i = 0; i < 6; i++) res.write(mib);
        return res.end(Buffer.alloc(1));
      }
      case "/silent":
        // Headers and then nothing: the read times out.
        res.writeHead(200, { "Content-Type": "image/png" });
        res.flushHeaders();
        hanging.push(res);
        return;
      default:
        res.writeHead(404);
        return res.end("not found");
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((ok) => server.close(ok));
});

describe("alchemy source URLs", () => {
  test("an image is read for its size and kept as the URL; its tiles price post-processors", async () => {
    const h = setup();
    const created = await h.interrogate({
      forms: [{ name: "RealESRGAN_x2plus" }],
      source_image: `${base}/cat.png`,
    });
    expect(created.status).toBe(202);
    const form = (await h.alchemyPop()).body.forms[0];
    expect(form.source_image).toBe(`${base}/cat.png`);
    await h.put(form.r2_upload, Buffer.from("x"));
    // 1100 × 600 is 3 × 2 tiles of 512², at 3 kudos each.
    expect((await h.alchemySubmit({ id: form.id, result: { RealESRGAN_x2plus: "R2" } })).body).toEqual({
      reward: 18,
    });
  });

  test.each([
    [
      "refused connection",
      "http://127.0.0.1:9/x.png",
      "ImageValidationFailed",
      "Something went wrong when retrieving image url.",
    ],
    [
      "a word starting with http",
      "httpnothing",
      "ImageValidationFailed",
      "Something went wrong when retrieving image url.",
    ],
    ["text", "/text", "SourceImageUrlInvalid", "Url does not contain a valid image."],
    ["a 404 page", "/nowhere", "SourceImageUrlInvalid", "Url does not contain a valid image."],
    ["an empty body", "/empty", "SourceImageUnreadable", "Something went wrong when opening image."],
    [
      "a declared length over 5000 KiB",
      "/declared-big",
      "SourceImageSizeExceeded",
      "Provided image cannot be larger than 5Mb",
    ],
    [
      "a body over 5 MiB",
      "/streamed-big",
      "SourceImageSizeExceeded",
      "Provided image cannot be larger than 5Mb",
    ],
    [
      "an image of 272 tiles",
      "/huge.png",
      "SourceImageResolutionExceeded",
      "Image is too large (272 tiles) and would cause horde alchemists to run out of VRAM trying to process it.",
    ],
  ])("%s → 400 %s", async (_label, path, rc, message) => {
    const h = setup();
    const url = path.startsWith("/") ? `${base}${path}` : path;
    const answer = await h.interrogate({ source_image: url });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ rc, message: `Image validation failed. ${message}` });
  });

  test("a server that never sends the body fails after the 2 s read timeout", async () => {
    const h = setup();
    const started = Date.now();
    const answer = await h.interrogate({ source_image: `${base}/silent` });
    expect([answer.status, answer.body.rc]).toEqual([400, "ImageValidationFailed"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("image request source URLs", () => {
  test("are downloaded and stored, so the worker gets the emulator's copy", async () => {
    const h = setup();
    const created = await h.generate({ source_image: `${base}/cat.png`, source_processing: "img2img" });
    expect(created.status).toBe(202);
    const refused = await h.generate({ source_image: `${base}/text`, source_processing: "img2img" });
    expect([refused.status, refused.body.rc]).toEqual([400, "SourceImageUrlInvalid"]);
  });
});
