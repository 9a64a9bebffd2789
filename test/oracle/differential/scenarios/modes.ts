/** The horde's modes as moderators and admins switch them (`PUT /v2/status/modes`), and invite-only workers. */
import { scenario } from "../framework.js";
import { directoryPop } from "./common.js";

const AREA = "status and directory";

export const modeScenarios = [
  scenario(AREA, "modes: who may switch them; invite-only workers", async (c) => {
    const mod = await c.user("mod", { moderator: true });
    const plain = await c.user("plain", { trusted: true });
    const put = (label: string, apikey: string | undefined, body: unknown, same?: string[]) =>
      c.step(label, "PUT /v2/status/modes", { apikey, body, ...(same ? { same } : {}) });
    await put("without key", undefined, { raid_mode: false });
    await put("invalid key", "nosuchkey0000000000000", { raid_mode: false });
    await put("nothing", mod.apikey, {});
    await put("raid mode by a user", plain.apikey, { raid_mode: false });
    // A moderator who is not an admin: refused before anything changes.
    await put("maintenance by a moderator", mod.apikey, { maintenance_mode: false });
    await put("raid mode off", mod.apikey, { raid_mode: false }, ["raid_mode"]);
    c.onCleanup(() =>
      c.send("PUT /v2/status/modes", { apikey: mod.apikey, body: { invite_only_mode: false } }),
    );
    await put("invite-only on", mod.apikey, { invite_only_mode: true }, ["invite_only_mode"]);
    await c.step("a new worker while invite-only", "POST /v2/generate/pop", {
      apikey: plain.apikey,
      body: directoryPop(c.name("w")),
    });
    await put("invite-only off", mod.apikey, { invite_only_mode: false }, ["invite_only_mode"]);
    await c.step("a new worker after", "POST /v2/generate/pop", {
      apikey: plain.apikey,
      body: directoryPop(c.name("w")),
    });
  }),

  scenario(AREA, "modes: bad input", async (c) => {
    const put = (label: string, body: unknown, raw?: string) =>
      c.step(label, "PUT /v2/status/modes", { apikey: c.target.adminKey, body, ...(raw ? { raw } : {}) });
    // The server takes a number as true: the shared oracle must not stay invite-only after this.
    c.onCleanup(() =>
      c.send("PUT /v2/status/modes", {
        apikey: c.target.adminKey,
        body: { invite_only_mode: false, raid_mode: false },
      }),
    );
    await put("raid mode not a boolean", { raid_mode: "yes" });
    await put("invite-only a number", { invite_only_mode: 2 });
    await put("body a list", [true]);
    await put("body not JSON", undefined, "{raid_mode");
  }),
];
