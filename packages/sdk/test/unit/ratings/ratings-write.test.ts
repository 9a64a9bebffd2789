// The rater's side of the Ratings API against a small fake of the service: the next image to rate (default
// dataset, one dataset, one model of it), a rating (validated before anything is sent, sent once even when
// the answer is a 5xx), the datasets — with the key sent to the ratings base URL only.
import { HordeValidationError, RatingsAPIClient, silentLogger } from "horde-sdk";
import { describe, expect, it } from "vitest";

const KEY = "abcdefghijklmnopqrstuv";
const IMAGE = "3a7f6c4e-5b0d-4c8e-9f1a-2b3c4d5e6f70";

interface Sent {
  method: string;
  path: string;
  apikey: string | null;
  body: unknown;
}

/** The fake service: what a rater sees, and a 500 for one image whose rating it records anyway. */
function fakeRatingsService() {
  const sent: Sent[] = [];
  const ratings = new Map<string, unknown[]>();
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const method = init?.method ?? "GET";
    sent.push({ method, path: url.pathname, apikey: headers.get("apikey"), body });
    if (headers.get("apikey") !== KEY) return Response.json({ message: "Wrong API key" }, { status: 401 });
    const json = (data: unknown, status = 200) => Response.json(data, { status });
    const newImage = /^\/api\/v1\/rating\/new(?:\/([^/]+)(?:\/([^/]+))?)?$/.exec(url.pathname);
    if (method === "GET" && newImage) {
      const dataset = newImage[1] ?? "default-dataset";
      const model = newImage[2] ? decodeURIComponent(newImage[2]) : "any";
      return json({
        id: IMAGE,
        url: `https://cdn.test/${dataset}/${model}/${IMAGE}.webp`,
        dataset_id: dataset,
      });
    }
    const rate = /^\/api\/v1\/rating\/([^/]+)$/.exec(url.pathname);
    if (method === "POST" && rate?.[1]) {
      const list = ratings.get(rate[1]) ?? [];
      list.push(body);
      ratings.set(rate[1], list);
      if (rate[1] === "flaky-image") return json({ message: "Internal Server Error" }, 500);
      return json({ reward: 5, message: "Rating submitted" });
    }
    if (method === "GET" && url.pathname === "/api/v1/datasets") {
      return json([{ id: "default-dataset", name: "DiffusionDB", description: "…", image_count: 100 }]);
    }
    return json({ message: "Not Found" }, 404);
  };
  return { fetch, sent, ratings };
}

function client(service: ReturnType<typeof fakeRatingsService>) {
  return new RatingsAPIClient({
    baseUrl: "https://ratings.test/api",
    apiKey: KEY,
    logger: silentLogger,
    fetch: service.fetch,
    retry: { initialDelayMs: 1, maxDelayMs: 1 },
  });
}

describe("Ratings API, the rater's side", () => {
  it("gets the next image from the default dataset, one dataset, or one model of it", async () => {
    const service = fakeRatingsService();
    const ratings = client(service);
    expect((await ratings.getImageToRate()).url).toBe(`https://cdn.test/default-dataset/any/${IMAGE}.webp`);
    expect((await ratings.getImageToRate({ dataset_id: "ds1" })).dataset_id).toBe("ds1");
    const byModel = await ratings.getImageToRate({ dataset_id: "ds1", model_name: "AlbedoBase XL (SDXL)" });
    expect(byModel.url).toBe(`https://cdn.test/ds1/AlbedoBase XL (SDXL)/${IMAGE}.webp`);
    expect(service.sent.map((s) => s.path)).toEqual([
      "/api/v1/rating/new",
      "/api/v1/rating/new/ds1",
      "/api/v1/rating/new/ds1/AlbedoBase%20XL%20(SDXL)",
    ]);
    expect(service.sent.every((s) => s.apikey === KEY)).toBe(true);
  });

  it("submits a rating with the key and reads the reward; the image id is in the path, not the body", async () => {
    const service = fakeRatingsService();
    const answer = await client(service).submitRating(IMAGE, { rating: 8, artifacts: 1 });
    expect(answer.reward).toBe(5);
    expect(service.sent).toEqual([
      { method: "POST", path: `/api/v1/rating/${IMAGE}`, apikey: KEY, body: { rating: 8, artifacts: 1 } },
    ]);
  });

  it("a rating out of range is refused before anything is sent, naming the field", async () => {
    const service = fakeRatingsService();
    const ratings = client(service);
    const error = await ratings.submitRating(IMAGE, { rating: 11 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HordeValidationError);
    expect(String(error)).toContain("rating");
    await expect(ratings.submitRating(IMAGE, { rating: 5, artifacts: 6 })).rejects.toThrow(/artifacts/);
    await expect(ratings.getImageToRate({ model_name: "x" })).rejects.toThrow(/dataset_id/);
    expect(service.sent).toEqual([]);
  });

  it("a rating answered with a 5xx is not sent again (it pays kudos; the service may have recorded it)", async () => {
    const service = fakeRatingsService();
    await expect(client(service).submitRating("flaky-image", { rating: 3 })).rejects.toMatchObject({
      status: 500,
    });
    expect(service.ratings.get("flaky-image")).toHaveLength(1);
  });

  it("lists the datasets", async () => {
    const datasets = await client(fakeRatingsService()).getDatasets();
    expect(datasets.length).toBe(1);
    expect(datasets.at(0)?.name).toBe("DiffusionDB");
  });
});
