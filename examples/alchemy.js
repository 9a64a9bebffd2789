// @ts-check
// Alchemy: caption an image, check it for NSFW content and upscale it — one request, three forms.
//   node examples/alchemy.js --local [image.png]    (without a file, it first generates one to work on)
import { readFile } from "node:fs/promises";
import { toSourceImage } from "horde-sdk";
import { runIfMain } from "./_run.js";

/** @param {import("./_run.js").ExampleContext & { image?: Uint8Array | string }} context */
export async function main({ client, signal, args = [], image }) {
  let source = image ?? (args[0] ? await readFile(args[0]) : undefined);
  if (source === undefined) {
    const generated = await client.generateImage(
      { prompt: "a red apple", params: { width: 256, height: 256 } },
      { signal },
    );
    source = generated.images[0]?.bytes ?? undefined;
    if (!source) throw new Error("the image to work on could not be downloaded");
  }
  const result = await client.runAlchemy(
    {
      source_image: await toSourceImage(source), // bytes, a Blob, base64 or an http(s) URL
      forms: [{ name: "caption" }, { name: "nsfw" }, { name: "RealESRGAN_x2plus" }],
    },
    { signal },
  );
  const upscaled = result.images.find((i) => i.form === "RealESRGAN_x2plus");
  return {
    id: result.id,
    caption: result.status.captions[0],
    nsfw: result.forms.find((f) => f.form === "nsfw")?.nsfw,
    upscaledBytes: upscaled?.bytes?.length ?? 0,
  };
}

await runIfMain(main, import.meta.url);
