import { AIHordeAPIClient, type AIHordeClientOptions } from "../client/client.js";
import { HordeValidationError } from "../core/errors.js";
import type { HordeRequest, SubmitOptions } from "../core/messages.js";
import {
  DatasetRatingImageRequest,
  ImageRatingsRequest,
  type ImageRatingsRequestInput,
  type ImageRatingsResponse,
  ModelRatingImageRequest,
  RATINGS_API_BASE_URL,
  RatingDatasetsRequest,
  type RatingDatasetsResponse,
  RatingImageRequest,
  type RatingImageResponse,
  RatingSubmitRequest,
  type RatingSubmitResponse,
  UserCheckRequest,
  type UserCheckRequestInput,
  type UserCheckResponse,
  UserRatingsRequest,
  type UserRatingsRequestInput,
  type UserRatingsResponse,
  UserValidateRequest,
  type UserValidateRequestInput,
  type UserValidateResponse,
} from "./models.js";

/**
 * A thin client for the Ratings API: an AIHordeAPIClient on the Ratings API's base URL (the same transport,
 * retries and key hygiene; the key is only ever sent to that base URL), with one method per endpoint.
 * Any Ratings API request can also be sent with `submitRequest`.
 */
export class RatingsAPIClient {
  /** The underlying client (its `baseUrl` is the Ratings API's). */
  readonly client: AIHordeAPIClient;

  constructor(options: AIHordeClientOptions = {}) {
    this.client = new AIHordeAPIClient({ ...options, baseUrl: options.baseUrl ?? RATINGS_API_BASE_URL });
  }

  /** The Ratings API base URL this client sends to (and the only place its key goes). */
  get baseUrl(): string {
    return this.client.baseUrl;
  }

  /** Sends any Ratings API request, as `AIHordeAPIClient.submitRequest` does for the horde. */
  submitRequest<Q extends HordeRequest>(
    request: Q,
    options?: SubmitOptions,
  ): Promise<NonNullable<Q["~response"]>> {
    return this.client.submitRequest(request, options);
  }

  /** GET `/v1/image/ratings/{image_id}`. */
  getImageRatings(
    imageId: string,
    query: Omit<ImageRatingsRequestInput, "image_id"> = {},
    options?: SubmitOptions,
  ): Promise<ImageRatingsResponse> {
    return this.submitRequest(new ImageRatingsRequest({ ...query, image_id: imageId }), options);
  }

  /** GET `/v1/user/ratings/`. */
  getUserRatings(query: UserRatingsRequestInput = {}, options?: SubmitOptions): Promise<UserRatingsResponse> {
    return this.submitRequest(new UserRatingsRequest(query), options);
  }

  /** GET `/v1/user/validate/{user_id}`. */
  validateUser(
    userId: string | number,
    query: Omit<UserValidateRequestInput, "user_id"> = {},
    options?: SubmitOptions,
  ): Promise<UserValidateResponse> {
    return this.submitRequest(new UserValidateRequest({ ...query, user_id: String(userId) }), options);
  }

  /** GET `/v1/user/check/{user_id}`. */
  checkUser(
    userId: string | number,
    query: Omit<UserCheckRequestInput, "user_id"> = {},
    options?: SubmitOptions,
  ): Promise<UserCheckResponse> {
    return this.submitRequest(new UserCheckRequest({ ...query, user_id: String(userId) }), options);
  }

  /**
   * GET `/v1/rating/new[/{dataset_id}[/{model_name}]]`: the next image to rate — from the default dataset, or
   * from one dataset (and one model of it).
   */
  async getImageToRate(
    where: { dataset_id?: string; model_name?: string } = {},
    options?: SubmitOptions,
  ): Promise<RatingImageResponse> {
    const { dataset_id, model_name } = where;
    if (model_name !== undefined && dataset_id === undefined) {
      throw new HordeValidationError("ModelRatingImageRequest", [
        { path: "dataset_id", message: "a model_name needs its dataset_id" },
      ]);
    }
    const request =
      dataset_id === undefined
        ? new RatingImageRequest()
        : model_name === undefined
          ? new DatasetRatingImageRequest({ dataset_id })
          : new ModelRatingImageRequest({ dataset_id, model_name });
    return this.submitRequest(request, options);
  }

  /** POST `/v1/rating/{image_id}`: rate an image (aesthetics 1–10, artifacts 0–5). Never sent twice. */
  async submitRating(
    imageId: string,
    rating: { rating: number; artifacts?: number },
    options?: SubmitOptions,
  ): Promise<RatingSubmitResponse> {
    return this.submitRequest(new RatingSubmitRequest({ ...rating, image_id: imageId }), options);
  }

  /** GET `/v1/datasets`: the datasets images are rated in. */
  async getDatasets(options?: SubmitOptions): Promise<RatingDatasetsResponse> {
    return this.submitRequest(new RatingDatasetsRequest(), options);
  }
}
