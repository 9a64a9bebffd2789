// The AI Horde Ratings API (https://ratings.aihorde.net/api): a separate Haidra service where people rate
// generated images (aesthetics 1–10, artifacts 0–5). Read endpoints, and the rater's side (the next image
// to rate, a rating, the datasets), authenticated with the same `apikey` header as the AI Horde. Not in the AI Horde contract: these schemas are written from
// docs/server/ratings-api.md and
// the example bodies of horde_sdk's corpus.
import * as z from "zod";
import { endpoint, HordeRequest, HordeResponse } from "../core/messages.js";
import { HordeAPIObject } from "../core/model.js";
import { apikeyShape, commonHeaderShape } from "../models/base.js";
import { lazySchema } from "../models/lazy.js";
import { HordeListResponse } from "../models/list.js";
import { hordeObject } from "../models/strict.js";
import { openString, type RequestInput } from "../models/support.js";

/** The production Ratings API. */
export const RATINGS_API_BASE_URL = "https://ratings.aihorde.net/api";

/** How a rating filter compares: greater or equal, less or equal, equal. */
export type RatingComparison = "ge" | "le" | "eq";

// --- responses ------------------------------------------------------------------------------------------------

const ratingValue = z.number().int();
/** `artifacts` is null when the rater gave no artifacts score. */
const artifactsValue = z.number().int().nullable();

const imageRatingEntry = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    username: z.string(),
    rating: ratingValue,
    artifacts: artifactsValue.optional(),
  }),
);

const validateRatingEntry = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    image: z.string(),
    rating: ratingValue,
    artifacts: artifactsValue.optional(),
    average: z.number(),
    times_rated: z.number().int(),
  }),
);

const userRatingEntry = /* @__PURE__ */ lazySchema(() =>
  validateRatingEntry.extend({ username: z.string() }),
);

/** The ratings of one image. */
export interface ImageRatingsResponse extends Readonly<z.infer<typeof ImageRatingsResponse.schema>> {}
export class ImageRatingsResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      total: z.number().int(),
      /** The image's URL. */
      image: z.string(),
      image_id: z.string(),
      average: z.number(),
      times_rated: z.number().int(),
      ratings: z.array(imageRatingEntry),
    }),
  );
}

/** One page of the authenticated user's ratings (or, for moderators, everyone's). */
export interface UserRatingsResponse extends Readonly<z.infer<typeof UserRatingsResponse.schema>> {}
export class UserRatingsResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      total: z.number().int(),
      ratings: z.array(userRatingEntry),
    }),
  );
}

/** The ratings of one user, for validating them. */
export interface UserValidateResponse extends Readonly<z.infer<typeof UserValidateResponse.schema>> {}
export class UserValidateResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      total: z.number().int(),
      ratings: z.array(validateRatingEntry),
    }),
  );
}

/** A user's rating activity, to spot automated or careless raters. */
export interface UserCheckResponse extends Readonly<z.infer<typeof UserCheckResponse.schema>> {}
export class UserCheckResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      ratings_in_timeframe: z.number().int(),
      ratings_per_minute_in_timeframe: z.number(),
      ratings_past_three_hours: z.number().int(),
      ratings_per_minute_for_past_three_hours: z.number(),
      suspect_divergences: z.number().int(),
      captchas_failed: z.number().int(),
    }),
  );
}

/** The next image to rate: download it from `url`, then send a rating for `id`. */
export interface RatingImageResponse extends Readonly<z.infer<typeof RatingImageResponse.schema>> {}
export class RatingImageResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      /** The image's id (a UUID): what `submitRating` rates. */
      id: z.string(),
      /** Where to download the image. */
      url: z.string(),
      /** The dataset the image belongs to. */
      dataset_id: z.string().optional(),
    }),
  );
}

/** What a rating earned. */
export interface RatingSubmitResponse extends Readonly<z.infer<typeof RatingSubmitResponse.schema>> {}
export class RatingSubmitResponse extends HordeResponse {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      /** Kudos awarded for the rating. */
      reward: z.number(),
      message: z.string().optional(),
    }),
  );
}

/** One dataset of images to rate. */
export interface RatingDataset extends Readonly<z.infer<typeof RatingDataset.schema>> {}
export class RatingDataset extends HordeAPIObject {
  static override readonly schema = /* @__PURE__ */ lazySchema(() =>
    hordeObject({
      id: z.string(),
      name: z.string().optional(),
      description: z.string().optional(),
      image_count: z.number().int().optional(),
    }),
  );
}

/** The datasets of the Ratings API. */
export class RatingDatasetsResponse extends HordeListResponse<RatingDataset> {
  static override readonly schema: z.ZodType = /* @__PURE__ */ lazySchema(() =>
    z.array(RatingDataset.schema),
  );
  static override readonly itemClass = RatingDataset;
}

// --- requests -------------------------------------------------------------------------------------------------

/**
 * Base of the Ratings API requests: sent to RATINGS_API_BASE_URL (a client must be created with that base
 * URL, see RatingsAPIClient) with the `apikey` header.
 */
export abstract class BaseRatingsAPIRequest<R extends HordeResponse = HordeResponse> extends HordeRequest<R> {
  declare readonly apikey?: string;

  static override getApiUrl(): string {
    return RATINGS_API_BASE_URL;
  }

  static override getHeaderFields(): string[] {
    return [...super.getHeaderFields(), "apikey"];
  }
}

/** `format`: only `json` can be read by the SDK (the API can also render `html`). */
const formatShape = { format: z.literal("json").optional() };

/** The rating filters shared by the user listings. */
const ratingFilterShape = {
  rating: z.number().int().min(1).max(10).optional(),
  rating_comparison: openString(["ge", "le", "eq"]).optional(),
  artifacts: z.number().int().min(0).max(5).optional(),
  artifacts_comparison: openString(["ge", "le", "eq"]).optional(),
  min_ratings: z.number().int().min(0).optional(),
};

const userIdSchema = z.string().regex(/^\d+$/, "the user id is the number of alias#number, digits only");

const ImageRatingsRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    image_id: z.string().min(1, "image_id must not be empty"),
    ...formatShape,
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new ImageRatingsRequest(…)` takes. */
export type ImageRatingsRequestInput = RequestInput<typeof ImageRatingsRequestSchema>;
/** GET `/v1/image/ratings/{image_id}`: every rating of one image (the image id is a UUID). */
export interface ImageRatingsRequest extends Readonly<ImageRatingsRequestInput> {}
export class ImageRatingsRequest extends BaseRatingsAPIRequest<ImageRatingsResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/image/ratings/{image_id}",
    () => ImageRatingsResponse,
  );
  static override readonly schema: z.ZodType = ImageRatingsRequestSchema;

  constructor(input: ImageRatingsRequestInput) {
    super(input);
  }

  static override getQueryFields(): string[] {
    return ["format"];
  }
}

const UserRatingsRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    ...formatShape,
    limit: z.number().int().min(1).optional(),
    offset: z.number().int().min(0).optional(),
    diverge: z.number().int().min(0).optional(),
    ...ratingFilterShape,
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new UserRatingsRequest(…)` takes. */
export type UserRatingsRequestInput = RequestInput<typeof UserRatingsRequestSchema>;
/** GET `/v1/user/ratings/`: the ratings of the key's user, paged with `limit` / `offset`, filtered. */
export interface UserRatingsRequest extends Readonly<UserRatingsRequestInput> {}
export class UserRatingsRequest extends BaseRatingsAPIRequest<UserRatingsResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/user/ratings/",
    () => UserRatingsResponse,
  );
  static override readonly schema: z.ZodType = UserRatingsRequestSchema;

  constructor(input: UserRatingsRequestInput = {}) {
    super(input);
  }

  static override getQueryFields(): string[] {
    return ["format", "limit", "offset", "diverge", ...Object.keys(ratingFilterShape)];
  }
}

const UserValidateRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    user_id: userIdSchema,
    ...formatShape,
    ...ratingFilterShape,
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new UserValidateRequest(…)` takes. */
export type UserValidateRequestInput = RequestInput<typeof UserValidateRequestSchema>;
/** GET `/v1/user/validate/{user_id}`: one user's ratings, filtered (for moderators). */
export interface UserValidateRequest extends Readonly<UserValidateRequestInput> {}
export class UserValidateRequest extends BaseRatingsAPIRequest<UserValidateResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/user/validate/{user_id}",
    () => UserValidateResponse,
  );
  static override readonly schema: z.ZodType = UserValidateRequestSchema;

  constructor(input: UserValidateRequestInput) {
    super(input);
  }

  static override getQueryFields(): string[] {
    return ["format", ...Object.keys(ratingFilterShape)];
  }
}

const UserCheckRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    user_id: userIdSchema,
    minutes: z.number().int().min(1).optional(),
    divergence: z.number().int().min(0).optional(),
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new UserCheckRequest(…)` takes. */
export type UserCheckRequestInput = RequestInput<typeof UserCheckRequestSchema>;
/** GET `/v1/user/check/{user_id}`: a user's rating pace and suspicious divergences (for moderators). */
export interface UserCheckRequest extends Readonly<UserCheckRequestInput> {}
export class UserCheckRequest extends BaseRatingsAPIRequest<UserCheckResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/user/check/{user_id}",
    () => UserCheckResponse,
  );
  static override readonly schema: z.ZodType = UserCheckRequestSchema;

  constructor(input: UserCheckRequestInput) {
    super(input);
  }

  static override getQueryFields(): string[] {
    return ["minutes", "divergence"];
  }
}

const RatingImageRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({ ...apikeyShape, ...commonHeaderShape }),
);
/** What `new RatingImageRequest(…)` takes. */
export type RatingImageRequestInput = RequestInput<typeof RatingImageRequestSchema>;
/** GET `/v1/rating/new`: the next image to rate, from the default dataset. */
export interface RatingImageRequest extends Readonly<RatingImageRequestInput> {}
export class RatingImageRequest extends BaseRatingsAPIRequest<RatingImageResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/rating/new",
    () => RatingImageResponse,
  );
  static override readonly schema: z.ZodType = RatingImageRequestSchema;

  constructor(input: RatingImageRequestInput = {}) {
    super(input);
  }
}

const DatasetRatingImageRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    dataset_id: z.string().min(1, "dataset_id must not be empty"),
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new DatasetRatingImageRequest(…)` takes. */
export type DatasetRatingImageRequestInput = RequestInput<typeof DatasetRatingImageRequestSchema>;
/** GET `/v1/rating/new/{dataset_id}`: the next image to rate from one dataset. */
export interface DatasetRatingImageRequest extends Readonly<DatasetRatingImageRequestInput> {}
export class DatasetRatingImageRequest extends BaseRatingsAPIRequest<RatingImageResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/rating/new/{dataset_id}",
    () => RatingImageResponse,
  );
  static override readonly schema: z.ZodType = DatasetRatingImageRequestSchema;

  constructor(input: DatasetRatingImageRequestInput) {
    super(input);
  }
}

const ModelRatingImageRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    dataset_id: z.string().min(1, "dataset_id must not be empty"),
    model_name: z.string().min(1, "model_name must not be empty"),
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new ModelRatingImageRequest(…)` takes. */
export type ModelRatingImageRequestInput = RequestInput<typeof ModelRatingImageRequestSchema>;
/** GET `/v1/rating/new/{dataset_id}/{model_name}`: the next image of one model in one dataset. */
export interface ModelRatingImageRequest extends Readonly<ModelRatingImageRequestInput> {}
export class ModelRatingImageRequest extends BaseRatingsAPIRequest<RatingImageResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/rating/new/{dataset_id}/{model_name}",
    () => RatingImageResponse,
  );
  static override readonly schema: z.ZodType = ModelRatingImageRequestSchema;

  constructor(input: ModelRatingImageRequestInput) {
    super(input);
  }
}

const RatingSubmitRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({
    image_id: z.string().min(1, "image_id must not be empty"),
    /** Aesthetics: how much you like the image on its own, 1 (worst) to 10. */
    rating: z.number().int().min(1).max(10),
    /** Artifacts: 0 flawless … 5 garbage. */
    artifacts: z.number().int().min(0).max(5).optional(),
    ...apikeyShape,
    ...commonHeaderShape,
  }),
);
/** What `new RatingSubmitRequest(…)` takes. */
export type RatingSubmitRequestInput = RequestInput<typeof RatingSubmitRequestSchema>;
/**
 * POST `/v1/rating/{image_id}`: rate an image (`rating` 1–10, `artifacts` 0–5). A POST that pays kudos, so
 * it is never repeated once it may have reached the service.
 */
export interface RatingSubmitRequest extends Readonly<RatingSubmitRequestInput> {}
export class RatingSubmitRequest extends BaseRatingsAPIRequest<RatingSubmitResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "POST",
    "/v1/rating/{image_id}",
    () => RatingSubmitResponse,
  );
  static override readonly schema: z.ZodType = RatingSubmitRequestSchema;

  constructor(input: RatingSubmitRequestInput) {
    super(input);
  }
}

const RatingDatasetsRequestSchema = /* @__PURE__ */ lazySchema(() =>
  hordeObject({ ...apikeyShape, ...commonHeaderShape }),
);
/** What `new RatingDatasetsRequest(…)` takes. */
export type RatingDatasetsRequestInput = RequestInput<typeof RatingDatasetsRequestSchema>;
/** GET `/v1/datasets`: the datasets images are rated in. */
export interface RatingDatasetsRequest extends Readonly<RatingDatasetsRequestInput> {}
export class RatingDatasetsRequest extends BaseRatingsAPIRequest<RatingDatasetsResponse> {
  static override readonly endpoint = /* @__PURE__ */ endpoint(
    "GET",
    "/v1/datasets",
    () => RatingDatasetsResponse,
  );
  static override readonly schema: z.ZodType = RatingDatasetsRequestSchema;

  constructor(input: RatingDatasetsRequestInput = {}) {
    super(input);
  }
}

/** Every Ratings API request. */
export const ratingsRequestClasses = {
  ImageRatingsRequest,
  UserRatingsRequest,
  UserValidateRequest,
  UserCheckRequest,
  RatingImageRequest,
  DatasetRatingImageRequest,
  ModelRatingImageRequest,
  RatingSubmitRequest,
  RatingDatasetsRequest,
} as const;
