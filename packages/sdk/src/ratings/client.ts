import { AIHordeAPIClient, type AIHordeClientOptions } from "../client/client.js";
import type { HordeRequest, SubmitOptions } from "../core/messages.js";
import {
  ImageRatingsRequest,
  type ImageRatingsRequestInput,
  type ImageRatingsResponse,
  RATINGS_API_BASE_URL,
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

  get baseUrl(): string {
    return this.client.baseUrl;
  }

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
}
