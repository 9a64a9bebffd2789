// Which failed submits may have reached the server (and so are looked for among the account's requests), and
// which provably did not (reported as they are, at once): the classification behind "never lose a job".
import {
  AIHordeAPIClient,
  AIHordeRequestError,
  HordeConnectionError,
  HordeLostSubmitError,
  silentLogger,
} from "horde-sdk";
import { instantClock, json, routedFetch } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

const KEY = "lost-answers-key-01234";
const payload = { prompt: "a fox", params: { width: 64, height: 64, steps: 5 } };

/** `fetch failed` as undici throws it, with `code` (or just a message) on its cause. */
function fetchFailed(code: string | undefined, message = "connect failed"): TypeError {
  const cause = Object.assign(new Error(message), code ? { code } : {});
  return new TypeError("fetch failed", { cause });
}

function client(
  submit: () => Response,
  findUser: () => Response = () => json(200, { active_generations: { image: [] } }),
) {
  const { fetch, calls } = routedFetch({
    "POST /v2/generate/async": submit,
    "GET /v2/find_user": findUser,
  });
  const c = new AIHordeAPIClient({
    baseUrl: "http://horde.test/api",
    apiKey: KEY,
    fetch,
    clock: instantClock(),
    logger: silentLogger,
    retry: { maxRetries: 1 },
  });
  return { client: c, lookups: () => calls.filter((call) => call.path === "/v2/find_user").length };
}

describe("a failed submit", () => {
  it.each([
    ["ENOTFOUND", "an unknown host"],
    ["ECONNREFUSED", "a refused connection"],
    ["EHOSTUNREACH", "no route"],
    ["UND_ERR_CONNECT_TIMEOUT", "no connection in time"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "an untrusted certificate"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "a failed TLS handshake"],
    [undefined, "a port fetch refuses (bad port)"],
  ])("%s (%s): never reached the server, so it is reported as is, with no lookup", async (code, _what) => {
    const { client: c, lookups } = client(() => {
      throw fetchFailed(code, code ? "connect failed" : "bad port");
    });
    const error = await c.submitImage(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeConnectionError);
    expect(lookups()).toBe(0);
  });

  it.each([
    ["UND_ERR_SOCKET", "the connection closed before an answer"],
    ["ECONNRESET", "a reset after the request was written"],
    ["HPE_INVALID_CONSTANT", "an answer that is not HTTP"],
  ])("%s (%s): may have run, so the account's requests are listed", async (code) => {
    const { client: c, lookups } = client(() => {
      throw fetchFailed(code);
    });
    const error = await c.submitImage(payload).catch((e: unknown) => e);
    // Nothing new is listed, and the lookups went on past find_user's 30 s cache: nothing was queued.
    expect(error).toBeInstanceOf(HordeConnectionError);
    expect(lookups()).toBeGreaterThanOrEqual(3);
  });

  it("a 4xx is the server's no: reported at once; a 5xx may hide a queued job: looked for", async () => {
    const refused = client(() => json(400, { message: "bad", rc: "BadRequest" }));
    expect(await refused.client.submitImage(payload).catch((e: unknown) => e)).toBeInstanceOf(
      AIHordeRequestError,
    );
    expect(refused.lookups()).toBe(0);
    const gateway = client(
      () => json(504, { message: "gateway timeout" }),
      () => json(200, { active_generations: { image: ["the-queued-one"] } }),
    );
    const job = await gateway.client.submitImage(payload);
    expect(job.id).toBe("the-queued-one");
    await job.cancel().catch(() => {});
  });

  it("when the account's requests cannot be asked for either, it stops looking and says so", async () => {
    const { client: c, lookups } = client(
      () => {
        throw fetchFailed("ECONNRESET");
      },
      () => {
        throw fetchFailed("ECONNRESET");
      },
    );
    const error = await c.submitImage(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeLostSubmitError);
    expect((error as HordeLostSubmitError).reason).toBe("the server could not be asked");
    expect((error as HordeLostSubmitError).key).toBeNull();
    expect(lookups()).toBe(2); // one lookup, retried once by the pipeline
  });

  it("a shared key (no active_generations): cannot tell", async () => {
    const { client: c } = client(
      () => json(502, { message: "bad gateway" }),
      () => json(200, { username: "owner#1 (Shared Key)" }),
    );
    const error = await c.submitImage(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeLostSubmitError);
    expect((error as HordeLostSubmitError).reason).toMatch(/does not list this key's requests/);
  });
});
