/** Image and text styles: create, read, edit, examples, delete, and a generate request that names a style. */
import { scenario } from "../framework.js";
import { cancelImageAtEnd, IMAGE_MODEL, imagePop, smallWebp } from "./common.js";

const AREA = "styles";

export const styleScenarios = [
  scenario(AREA, "image styles", async (c) => {
    const owner = await c.user("owner", { trusted: true, kudos: 100_000 });
    const plain = await c.user("plain", { trusted: false, kudos: 10 });
    await c.step("list", "GET /v2/styles/image");
    await c.sleep(1100);
    await c.step("create by a plain user", "POST /v2/styles/image", {
      apikey: plain.apikey,
      body: { name: c.name("style"), prompt: "{p} in oil###{np}", models: [IMAGE_MODEL] },
    });
    await c.sleep(1100);
    const created = await c.step("create", "POST /v2/styles/image", {
      apikey: owner.apikey,
      body: {
        name: c.name("style"),
        info: "oil paint",
        prompt: "{p}, oil on canvas###{np}, blurry",
        models: [IMAGE_MODEL],
        params: { steps: 12, width: 512, height: 512 },
      },
    });
    const id = created.body?.id as string | undefined;
    if (!id) return;
    await c.sleep(1100);
    await c.step("create without {p}", "POST /v2/styles/image", {
      apikey: owner.apikey,
      body: { name: c.name("bad"), prompt: "no placeholder", models: [IMAGE_MODEL] },
    });
    await c.step("get", "GET /v2/styles/image/{id}", {
      params: { id },
      same: ["name", "prompt", "models", "params.steps"],
    });
    await c.step("by name", "GET /v2/styles/image_by_name/{name}", {
      params: { name: `${owner.username.split("#")[0]}::style::${c.name("style")}` },
    });
    await c.sleep(1100);
    await c.step("patch", "PATCH /v2/styles/image/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { info: "still oil" },
    });
    await c.sleep(1100);
    const example = await c.step("add example", "POST /v2/styles/image/{id}/example", {
      params: { id },
      apikey: owner.apikey,
      body: { url: `data:image/webp;base64,${await smallWebp()}`, primary: true },
    });
    if (example.body?.id) {
      await c.step("delete example", "DELETE /v2/styles/image/{id}/example/{example}", {
        params: { id, example: example.body.id },
        apikey: owner.apikey,
      });
    }
    await c.step("pop idle", "POST /v2/generate/pop", { apikey: owner.apikey, body: imagePop(c.name("w")) });
    const submit = await c.step("generate with the style", "POST /v2/generate/async", {
      apikey: owner.apikey,
      body: { prompt: "a lighthouse", style: id },
    });
    if (submit.body?.id) cancelImageAtEnd(c, submit.body.id);
    await c.step("generate with an unknown style", "POST /v2/generate/async", {
      apikey: owner.apikey,
      body: { prompt: "a lighthouse", style: "00000000-0000-0000-0000-000000000000" },
    });
    await c.sleep(1100);
    await c.step("delete by a plain user", "DELETE /v2/styles/image/{id}", {
      params: { id },
      apikey: plain.apikey,
    });
    await c.sleep(1100);
    await c.step("delete", "DELETE /v2/styles/image/{id}", { params: { id }, apikey: owner.apikey });
    await c.step("get deleted", "GET /v2/styles/image/{id}", { params: { id } });
  }),

  scenario(AREA, "text styles", async (c) => {
    const owner = await c.user("owner", { trusted: true, kudos: 100_000 });
    await c.step("list", "GET /v2/styles/text");
    await c.sleep(1100);
    const created = await c.step("create", "POST /v2/styles/text", {
      apikey: owner.apikey,
      body: { name: c.name("tstyle"), prompt: "Story: {p}", params: { max_length: 64 } },
    });
    const id = created.body?.id as string | undefined;
    if (!id) return;
    await c.step("get", "GET /v2/styles/text/{id}", { params: { id }, same: ["name", "prompt"] });
    await c.sleep(1100);
    await c.step("patch", "PATCH /v2/styles/text/{id}", {
      params: { id },
      apikey: owner.apikey,
      body: { info: "tales" },
    });
    await c.sleep(1100);
    await c.step("delete", "DELETE /v2/styles/text/{id}", { params: { id }, apikey: owner.apikey });
    await c.step("unknown", "GET /v2/styles/text/{id}", {
      params: { id: "00000000-0000-0000-0000-000000000000" },
    });
  }),
];
