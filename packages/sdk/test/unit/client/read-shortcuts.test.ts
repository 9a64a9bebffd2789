// The generated read shortcuts (client.getWorkers(), …) and the generated request classes on the wire: URLs, query strings, path encoding,
// header placement (X-Fields masks, Idempotency-Key), a DELETE with a body, typed responses.
import {
  AIHordeAPIClient,
  AllWorkersDetailsRequest,
  AllWorkersDetailsResponse,
  DeleteIPAddressRequest,
  HordeStatusModelsAllResponse,
  HordeValidationError,
  KudosTransferRequest,
  KudosTransferResponse,
  ModifyWorkerRequest,
  silentLogger,
  UserDetailsResponse,
  WorkerDetailItem,
} from "horde-sdk";
import { type Call, frozenClock, json, recordingFetch } from "horde-test-support/sdk";
import { describe, expect, expectTypeOf, it } from "vitest";

/** A client whose fetch records calls and answers `answer(call)` (default `{}`). */
function recording(answer: (call: Call) => Response = () => json(200, {})) {
  const { fetch, calls } = recordingFetch(answer);
  const client = new AIHordeAPIClient({
    baseUrl: "https://horde.test/api",
    apiKey: "k".repeat(22),
    fetch,
    clock: frozenClock,
    logger: silentLogger,
    retry: false,
  });
  return { client, calls };
}

/** The URL a call went to, parsed. */
const urlOf = (call: Call | undefined) => new URL(call?.url ?? "about:blank");

const worker = {
  id: "w1",
  name: "Worker 1",
  type: "image",
  bridge_agent: "AI Horde Worker reGen:9:x",
  online: true,
};

describe("typed read methods", () => {
  it("getWorkers sends the query, the key, and a mask that keeps the required fields", async () => {
    const { client, calls } = recording(() => json(200, [worker]));
    const workers = await client.getWorkers({ type: "image", x_fields: ["id", "name"] });
    expect(workers).toBeInstanceOf(AllWorkersDetailsResponse);
    expect(workers.at(0)).toBeInstanceOf(WorkerDetailItem);
    expect(workers.at(0)?.name).toBe("Worker 1");
    const call = calls[0] as Call;
    expect(call.method).toBe("GET");
    expect(urlOf(call).pathname).toBe("/api/v2/workers");
    expect(urlOf(call).searchParams.get("type")).toBe("image");
    expect(call.headers["x-fields"]).toBe("id,name,bridge_agent");
    expect(call.headers.apikey).toBe("k".repeat(22));
    expect(call.body).toBeUndefined();
    expectTypeOf(workers.items).toEqualTypeOf<readonly WorkerDetailItem[]>();
  });

  it("a string mask is kept, with the required top-level fields appended once", () => {
    const r = new AllWorkersDetailsRequest({ x_fields: "id,kudos_details{generated},bridge_agent" });
    expect(r.headers()["X-Fields"]).toBe("id,kudos_details{generated},bridge_agent");
    const r2 = new AllWorkersDetailsRequest({ x_fields: "id,team{name}" });
    expect(r2.headers()["X-Fields"]).toBe("id,team{name},bridge_agent");
    // the array form is typed against the model's fields
    // @ts-expect-error: not a WorkerDetails field
    new AllWorkersDetailsRequest({ x_fields: ["no_such_field"] });
  });

  it("getWorker / getWorkerByName put the id or name in the path, encoded", async () => {
    const { client, calls } = recording(() => json(200, worker));
    expect(await client.getWorker("w1")).toBeInstanceOf(WorkerDetailItem);
    expect(await client.getWorkerByName("My Worker/2")).toBeInstanceOf(WorkerDetailItem);
    expect(calls.map((c) => urlOf(c).pathname)).toEqual([
      "/api/v2/workers/w1",
      "/api/v2/workers/name/My%20Worker%2F2",
    ]);
  });

  it("getUser accepts the numeric part of alias#id only, before anything is sent", async () => {
    const { client, calls } = recording(() => json(200, { username: "db0#1", id: 1, kudos: 10 }));
    const user = await client.getUser(1);
    expect(user).toBeInstanceOf(UserDetailsResponse);
    expect(urlOf(calls[0]).pathname).toBe("/api/v2/users/1");
    await expect(client.getUser("db0#1")).rejects.toThrow(HordeValidationError);
    expect(calls).toHaveLength(1);
  });

  it("every read method hits its endpoint and returns its class", async () => {
    const { client, calls } = recording((call) =>
      json(
        200,
        /^\/api\/v2\/(workers|users|teams|status\/news|status\/models(\/[^/]+)?|styles\/(image|text)|collections)$/.test(
          urlOf(call).pathname,
        )
          ? []
          : urlOf(call).pathname.endsWith("/heartbeat")
            ? { message: "OK", version: "5.1.5" }
            : urlOf(call).pathname.includes("/styles/")
              ? { name: "a style" } // StyleStable / StyleKobold require a name
              : {},
      ),
    );
    const results = [
      await client.getHeartbeat(),
      await client.getModels({ type: "text", min_count: 1 }),
      await client.getModel("stable diffusion"),
      await client.getPerformance(),
      await client.getNews(),
      await client.getModes(),
      await client.findUser(),
      await client.getUsers({ page: 2, sort: "age" }),
      await client.getImageStatsTotals(),
      await client.getImageStatsModels({ model_state: "all" }),
      await client.getTextStatsTotals(),
      await client.getTextStatsModels(),
      await client.getImageStyles({ tag: "anime" }),
      await client.getImageStyle("s1"),
      await client.getImageStyleByName("cute"),
      await client.getTextStyles(),
      await client.getTextStyle("s2"),
      await client.getTextStyleByName("terse"),
      await client.getCollections({ type: "image" }),
      await client.getCollection("c1"),
      await client.getCollectionByName("favs"),
      await client.getTeams(),
      await client.getTeam("t1"),
      await client.getTerms({ format: "markdown" }),
      await client.getPrivacyPolicy(),
      await client.getSponsors(),
    ];
    expect(calls.map((c) => `${urlOf(c).pathname}${urlOf(c).search}`)).toEqual([
      "/api/v2/status/heartbeat",
      "/api/v2/status/models?type=text&min_count=1",
      "/api/v2/status/models/stable%20diffusion",
      "/api/v2/status/performance",
      "/api/v2/status/news",
      "/api/v2/status/modes",
      "/api/v2/find_user",
      "/api/v2/users?page=2&sort=age",
      "/api/v2/stats/img/totals",
      "/api/v2/stats/img/models?model_state=all",
      "/api/v2/stats/text/totals",
      "/api/v2/stats/text/models",
      "/api/v2/styles/image?tag=anime",
      "/api/v2/styles/image/s1",
      "/api/v2/styles/image_by_name/cute",
      "/api/v2/styles/text",
      "/api/v2/styles/text/s2",
      "/api/v2/styles/text_by_name/terse",
      "/api/v2/collections?type=image",
      "/api/v2/collections/c1",
      "/api/v2/collection_by_name/favs",
      "/api/v2/teams",
      "/api/v2/teams/t1",
      "/api/v2/documents/terms?format=markdown",
      "/api/v2/documents/privacy",
      "/api/v2/documents/sponsors",
    ]);
    expect(results.map((r) => r.constructor.name)).toEqual([
      "AIHordeHeartbeatResponse",
      "HordeStatusModelsAllResponse",
      "HordeStatusModelsAllResponse",
      "HordePerformanceResponse",
      "NewsResponse",
      "HordeModes",
      "UserDetailsResponse",
      "ListUsersDetailsResponse",
      "ImageStatsModelsTotalResponse",
      "ImageStatsModelsResponse",
      "TextStatsModelsTotalResponse",
      "TextStatsModelResponse",
      "AllStylesImageResponse",
      "StyleStable",
      "StyleStable",
      "AllStylesTextResponse",
      "StyleKobold",
      "StyleKobold",
      "AllCollectionsResponse",
      "ResponseModelCollection",
      "ResponseModelCollection",
      "AllTeamDetailsResponse",
      "TeamDetails",
      "HordeDocument",
      "HordeDocument",
      "HordeDocument",
    ]);
    // only the endpoints that take a key get one
    expect(calls[6]?.headers.apikey).toBe("k".repeat(22)); // find_user
    expect(calls[3]?.headers.apikey).toBeUndefined(); // performance
  });

  it("a model list is iterable and JSON-serialisable as the array the server sent", async () => {
    const models = [{ name: "m1", count: 2, type: "image" }];
    const { client } = recording(() => json(200, models));
    const list = await client.getModels();
    expect(list).toBeInstanceOf(HordeStatusModelsAllResponse);
    expect([...list].map((m) => m.name)).toEqual(["m1"]);
    expect(JSON.parse(JSON.stringify(list))).toEqual(models);
  });
});

describe("write requests go through submitRequest", () => {
  it("a kudos transfer carries its Idempotency-Key and is never retried, even on a 503", async () => {
    const { fetch, calls } = recordingFetch(() => json(503, { message: "try later" }));
    const client = new AIHordeAPIClient({
      baseUrl: "https://horde.test/api",
      apiKey: "k".repeat(22),
      fetch,
      clock: frozenClock,
      logger: silentLogger, // retries left at their defaults: GETs would be retried
    });
    const transfer = new KudosTransferRequest({ username: "db0#1", amount: 10, idempotency_key: "tx-1" });
    expect(transfer.body()).toEqual({ username: "db0#1", amount: 10 });
    expect(transfer.headers()["Idempotency-Key"]).toBe("tx-1");
    await expect(client.submitRequest(transfer)).rejects.toMatchObject({ status: 503 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers["idempotency-key"]).toBe("tx-1");
    expect(KudosTransferRequest.getDefaultSuccessResponseType()).toBe(KudosTransferResponse);
  });

  it("ModifyWorkerRequest: PUT with the worker id in the path and the changes in the body", () => {
    const r = new ModifyWorkerRequest({ worker_id: "w1", maintenance: true, info: "back soon" });
    const http = r.toHttp("https://h/api");
    expect(http).toMatchObject({ method: "PUT", url: "https://h/api/v2/workers/w1" });
    expect(JSON.parse(http.body as string)).toEqual({ maintenance: true, info: "back soon" });
  });

  it("DELETE /v2/operations/ipaddr carries its JSON body", () => {
    const http = new DeleteIPAddressRequest({ ipaddr: "8.8.8.8" }).toHttp("https://h/api");
    expect(http.method).toBe("DELETE");
    expect(JSON.parse(http.body as string)).toEqual({ ipaddr: "8.8.8.8" });
    expect(http.headers["Content-Type"]).toBe("application/json");
  });

  it("path fields are required and validated", () => {
    // @ts-expect-error: worker_id is required
    expect(() => new ModifyWorkerRequest({ maintenance: true })).toThrow(/worker_id/);
    expect(() => new ModifyWorkerRequest({ worker_id: "" })).toThrow(/worker_id/);
  });
});
