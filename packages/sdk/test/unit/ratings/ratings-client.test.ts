// The Ratings API: its own base URL, through the same client machinery.
import {
  HordeValidationError,
  ImageRatingsRequest,
  ImageRatingsResponse,
  RATINGS_API_BASE_URL,
  RatingsAPIClient,
  silentLogger,
  UserCheckRequest,
  UserCheckResponse,
  UserRatingsRequest,
  UserRatingsResponse,
  UserValidateRequest,
  UserValidateResponse,
} from "horde-sdk";
import { json } from "horde-test-support/sdk";
import { describe, expect, it } from "vitest";

describe("Ratings API", () => {
  it("requests describe themselves against https://ratings.aihorde.net/api", () => {
    expect(RATINGS_API_BASE_URL).toBe("https://ratings.aihorde.net/api");
    expect(ImageRatingsRequest.getApiEndpointUrl()).toBe(
      "https://ratings.aihorde.net/api/v1/image/ratings/{image_id}",
    );
    expect(new UserRatingsRequest({ limit: 10, rating: 8, rating_comparison: "ge" }).endpointUrl()).toBe(
      "https://ratings.aihorde.net/api/v1/user/ratings/?limit=10&rating=8&rating_comparison=ge",
    );
    expect(new UserCheckRequest({ user_id: "6572", minutes: 60 }).endpointUrl()).toBe(
      "https://ratings.aihorde.net/api/v1/user/check/6572?minutes=60",
    );
    expect(() => new UserValidateRequest({ user_id: "db0#1" })).toThrow(HordeValidationError);
    expect(UserValidateRequest.getHeaderFields()).toContain("apikey");
  });

  it("RatingsAPIClient sends its four requests to the ratings base URL, with the key", async () => {
    const seen: { url: string; apikey: string | null }[] = [];
    const answers: Record<string, unknown> = {
      "/api/v1/image/ratings/897193dc-5ff3-492b-8903-735434eca56b": {
        total: 1,
        image: "https://x/i.webp",
        image_id: "897193dc-5ff3-492b-8903-735434eca56b",
        average: 3,
        times_rated: 1,
        ratings: [{ username: "a#1", rating: 3, artifacts: null }],
      },
      "/api/v1/user/ratings/": { total: 0, ratings: [] },
      "/api/v1/user/validate/1": { total: 0, ratings: [] },
      "/api/v1/user/check/1": {
        ratings_in_timeframe: 1,
        ratings_per_minute_in_timeframe: 0.5,
        ratings_past_three_hours: 1,
        ratings_per_minute_for_past_three_hours: 0.1,
        suspect_divergences: 0,
        captchas_failed: 0,
      },
    };
    const ratings = new RatingsAPIClient({
      apiKey: "r".repeat(22),
      logger: silentLogger,
      fetch: async (input, init) => {
        const url = new URL(String(input));
        seen.push({ url: url.toString(), apikey: new Headers(init?.headers).get("apikey") });
        return json(200, answers[url.pathname]);
      },
    });
    expect(ratings.baseUrl).toBe(RATINGS_API_BASE_URL);
    expect(await ratings.getImageRatings("897193dc-5ff3-492b-8903-735434eca56b")).toBeInstanceOf(
      ImageRatingsResponse,
    );
    expect(await ratings.getUserRatings({ offset: 25 })).toBeInstanceOf(UserRatingsResponse);
    expect(await ratings.validateUser(1, { artifacts: 2, artifacts_comparison: "le" })).toBeInstanceOf(
      UserValidateResponse,
    );
    const check = await ratings.checkUser("1");
    expect(check).toBeInstanceOf(UserCheckResponse);
    expect(check.ratings_per_minute_in_timeframe).toBe(0.5);
    expect(seen.map((s) => s.url)).toEqual([
      "https://ratings.aihorde.net/api/v1/image/ratings/897193dc-5ff3-492b-8903-735434eca56b",
      "https://ratings.aihorde.net/api/v1/user/ratings/?offset=25",
      "https://ratings.aihorde.net/api/v1/user/validate/1?artifacts=2&artifacts_comparison=le",
      "https://ratings.aihorde.net/api/v1/user/check/1",
    ]);
    expect(seen.every((s) => s.apikey === "r".repeat(22))).toBe(true);
  });
});
