import { createEmulator, silentLogger, VirtualClock } from "horde-emulator";
import sharp from "sharp";
import { expect, test } from "vitest";

test("listen() serves the same API over HTTP on 127.0.0.1, R2 URLs included", async () => {
  const clock = new VirtualClock({ autoAdvance: true });
  const emu = createEmulator({ clock, logger: silentLogger, devWorkers: 1 });
  try {
    const { url, origin, port } = await emu.listen({ port: 0 });
    expect(port).toBeGreaterThan(0);
    expect(origin).toBe(`http://127.0.0.1:${port}`);
    expect(url).toBe(`${origin}/api`);

    const heartbeat = await fetch(`${url}/v2/status/heartbeat`);
    expect(heartbeat.status).toBe(200);
    expect(heartbeat.headers.get("content-type")).toBe("application/json; charset=utf-8");

    const bad = await fetch(`${url}/v2/generate/async`, {
      method: "POST",
      headers: { apikey: "0000000000", "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "x", params: { width: 500 } }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toHaveProperty("params.width");

    const created = (await (
      await fetch(`${url}/v2/generate/async`, {
        method: "POST",
        headers: { apikey: "0000000000", "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "over the wire", params: { width: 320, height: 256 } }),
      })
    ).json()) as { id: string };
    let done = false;
    for (let i = 0; i < 200 && !done; i++) {
      done = ((await (await fetch(`${url}/v2/generate/check/${created.id}`)).json()) as { done: boolean })
        .done;
      if (!done) await clock.sleep(1000);
    }
    expect(done).toBe(true);
    const status = (await (await fetch(`${url}/v2/generate/status/${created.id}`)).json()) as {
      generations: { img: string }[];
    };
    const img = status.generations[0]?.img as string;
    expect(img.startsWith(`${origin}/_r2/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(img)).arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 320, 256]);
  } finally {
    await emu.close();
  }
});
