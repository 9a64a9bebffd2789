// Typed read methods for the endpoints people use every day, as plain functions of a client (or a session):
// `getWorkers(client, { type: "image" })`. Each builds the request class and sends it with
// `client.submitRequest`, so validation, retries (GETs are retried with backoff), rate-limit handling and key
// hygiene are the client's. Every function takes the request's own optional fields (`apikey` to use another
// key, `x_fields` to mask the response, `client_agent`) and the client's per-call options (`signal`,
// `timeoutMs`). They are async: invalid input (e.g. a user id that is not numeric) rejects, it never throws.
//
// Writes (kudos transfers, worker changes, shared keys, styles, teams, ...) have no shortcut here: build the
// request class and call `client.submitRequest(request)`. A POST/PUT/PATCH is never retried automatically once
// it may have reached the server. In particular a kudos transfer (`KudosTransferRequest`) is never retried: it
// could move kudos twice. The server deduplicates a transfer only if you send an `idempotency_key` yourself
// and repeat it with the same parameters.
import type { SubmitOptions } from "../client/client.js";
import type { HordeRequest } from "../generic/request.js";
import {
  AIHordeGetPrivacyPolicyRequest,
  AIHordeGetSponsorsRequest,
  AIHordeGetTermsRequest,
  type AIHordeGetTermsRequestInput,
  AllCollectionsRequest,
  type AllCollectionsRequestInput,
  type AllCollectionsResponse,
  AllStylesImageRequest,
  type AllStylesImageRequestInput,
  type AllStylesImageResponse,
  AllStylesTextRequest,
  type AllStylesTextRequestInput,
  type AllStylesTextResponse,
  AllTeamDetailsRequest,
  type AllTeamDetailsRequestInput,
  type AllTeamDetailsResponse,
  AllWorkersDetailsRequest,
  type AllWorkersDetailsRequestInput,
  type AllWorkersDetailsResponse,
  CollectionByIDRequest,
  type CollectionByIDRequestInput,
  CollectionByNameRequest,
  type CollectionByNameRequestInput,
  FindUserRequest,
  type FindUserRequestInput,
  type HordeDocument,
  type HordeModes,
  HordeModesRequest,
  type HordeModesRequestInput,
  HordePerformanceRequest,
  type HordePerformanceRequestInput,
  type HordePerformanceResponse,
  HordeStatusModelsAllRequest,
  type HordeStatusModelsAllRequestInput,
  type HordeStatusModelsAllResponse,
  HordeStatusModelsSingleRequest,
  type HordeStatusModelsSingleRequestInput,
  ImageStatsModelsRequest,
  type ImageStatsModelsRequestInput,
  type ImageStatsModelsResponse,
  ImageStatsModelsTotalRequest,
  type ImageStatsModelsTotalRequestInput,
  type ImageStatsModelsTotalResponse,
  ListUsersDetailsRequest,
  type ListUsersDetailsRequestInput,
  type ListUsersDetailsResponse,
  NewsRequest,
  type NewsRequestInput,
  type NewsResponse,
  type ResponseModelCollection,
  SingleStyleImageByIDRequest,
  type SingleStyleImageByIDRequestInput,
  SingleStyleImageByNameRequest,
  type SingleStyleImageByNameRequestInput,
  SingleStyleTextByIDRequest,
  type SingleStyleTextByIDRequestInput,
  SingleStyleTextByNameRequest,
  type SingleStyleTextByNameRequestInput,
  SingleTeamDetailsRequest,
  type SingleTeamDetailsRequestInput,
  SingleUserDetailsRequest,
  type SingleUserDetailsRequestInput,
  SingleWorkerDetailsRequest,
  type SingleWorkerDetailsRequestInput,
  SingleWorkerNameDetailsRequest,
  type SingleWorkerNameDetailsRequestInput,
  type StyleKobold,
  type StyleStable,
  type TeamDetails,
  type TextStatsModelResponse,
  TextStatsModelsRequest,
  type TextStatsModelsRequestInput,
  TextStatsModelsTotalRequest,
  type TextStatsModelsTotalRequestInput,
  type TextStatsModelsTotalResponse,
  type UserDetailsResponse,
  type WorkerDetailItem,
} from "./generated/classes.js";
import { AIHordeHeartbeatRequest, type AIHordeHeartbeatResponse } from "./status/heartbeat.js";

/** Anything that sends requests: an AIHordeAPIClient or one of its sessions. */
export interface RequestSubmitter {
  submitRequest<Q extends HordeRequest>(
    request: Q,
    options?: SubmitOptions,
  ): Promise<NonNullable<Q["~response"]>>;
}

/** The fields of a request input other than the path fields the function takes as arguments. */
type Rest<I, K extends keyof I = never> = Omit<I, K>;

// --- status ---------------------------------------------------------------------------------------------------

/** GET `/v2/status/heartbeat`: is the node up (`message: "OK"`), and its version. Not rate-limited. */
export async function getHeartbeat(
  client: RequestSubmitter,
  query: { client_agent?: string } = {},
  options?: SubmitOptions,
): Promise<AIHordeHeartbeatResponse> {
  return client.submitRequest(new AIHordeHeartbeatRequest(query), options);
}

/**
 * GET `/v2/status/models`: the active models with worker counts, queue and ETA. QUIRK: `type` defaults to
 * `image` on the server; pass `{ type: "text" }` for text models.
 */
export async function getModels(
  client: RequestSubmitter,
  query: HordeStatusModelsAllRequestInput = {},
  options?: SubmitOptions,
): Promise<HordeStatusModelsAllResponse> {
  return client.submitRequest(new HordeStatusModelsAllRequest(query), options);
}

/**
 * GET `/v2/status/models/{model_name}`: one model, as a list (empty for a name the horde does not know).
 * Use `response.at(0)`.
 */
export async function getModel(
  client: RequestSubmitter,
  modelName: string,
  query: Rest<HordeStatusModelsSingleRequestInput, "model_name"> = {},
  options?: SubmitOptions,
): Promise<HordeStatusModelsAllResponse> {
  return client.submitRequest(
    new HordeStatusModelsSingleRequest({ ...query, model_name: modelName }),
    options,
  );
}

/** GET `/v2/status/performance`: queue sizes and worker counts of the whole horde. */
export async function getPerformance(
  client: RequestSubmitter,
  query: HordePerformanceRequestInput = {},
  options?: SubmitOptions,
): Promise<HordePerformanceResponse> {
  return client.submitRequest(new HordePerformanceRequest(query), options);
}

/** GET `/v2/status/news`: the horde's news, newest first. */
export async function getNews(
  client: RequestSubmitter,
  query: NewsRequestInput = {},
  options?: SubmitOptions,
): Promise<NewsResponse> {
  return client.submitRequest(new NewsRequest(query), options);
}

/** GET `/v2/status/modes`: maintenance, invite-only and raid mode. */
export async function getModes(
  client: RequestSubmitter,
  query: HordeModesRequestInput = {},
  options?: SubmitOptions,
): Promise<HordeModes> {
  return client.submitRequest(new HordeModesRequest(query), options);
}

// --- users ----------------------------------------------------------------------------------------------------

/**
 * GET `/v2/find_user`: the user the API key belongs to (the client's key, or `query.apikey`). A shared key
 * gives its owner's public details. 401 `InvalidAPIKey` without a key, 404 `UserNotFound` for an unknown one.
 */
export async function findUser(
  client: RequestSubmitter,
  query: FindUserRequestInput = {},
  options?: SubmitOptions,
): Promise<UserDetailsResponse> {
  return client.submitRequest(new FindUserRequest(query), options);
}

/** GET `/v2/users`: one page (25) of users, sorted by `kudos` (default) or `age`. */
export async function getUsers(
  client: RequestSubmitter,
  query: ListUsersDetailsRequestInput = {},
  options?: SubmitOptions,
): Promise<ListUsersDetailsResponse> {
  return client.submitRequest(new ListUsersDetailsRequest(query), options);
}

/** GET `/v2/users/{user_id}`: one user; `userId` is the number of `alias#number` (validated). */
export async function getUser(
  client: RequestSubmitter,
  userId: string | number,
  query: Rest<SingleUserDetailsRequestInput, "user_id"> = {},
  options?: SubmitOptions,
): Promise<UserDetailsResponse> {
  return client.submitRequest(new SingleUserDetailsRequest({ ...query, user_id: String(userId) }), options);
}

// --- workers --------------------------------------------------------------------------------------------------

/**
 * GET `/v2/workers`: the active workers (checked in within 5 minutes), optionally of one `type` or one
 * `name` (case-insensitive; takes precedence over `type`). Large: mask it, e.g. `{ x_fields: ["id", "name"] }`.
 */
export async function getWorkers(
  client: RequestSubmitter,
  query: AllWorkersDetailsRequestInput = {},
  options?: SubmitOptions,
): Promise<AllWorkersDetailsResponse> {
  return client.submitRequest(new AllWorkersDetailsRequest(query), options);
}

/** GET `/v2/workers/{worker_id}`: one worker, also an inactive one. 404 `WorkerNotFound`. */
export async function getWorker(
  client: RequestSubmitter,
  workerId: string,
  query: Rest<SingleWorkerDetailsRequestInput, "worker_id"> = {},
  options?: SubmitOptions,
): Promise<WorkerDetailItem> {
  return client.submitRequest(new SingleWorkerDetailsRequest({ ...query, worker_id: workerId }), options);
}

/** GET `/v2/workers/name/{worker_name}`: one worker by its name. 404 `WorkerNotFound`. */
export async function getWorkerByName(
  client: RequestSubmitter,
  workerName: string,
  query: Rest<SingleWorkerNameDetailsRequestInput, "worker_name"> = {},
  options?: SubmitOptions,
): Promise<WorkerDetailItem> {
  return client.submitRequest(
    new SingleWorkerNameDetailsRequest({ ...query, worker_name: workerName }),
    options,
  );
}

// --- stats ----------------------------------------------------------------------------------------------------

/** GET `/v2/stats/img/totals`: images and megapixelsteps per minute, hour, day, month and in total. */
export async function getImageStatsTotals(
  client: RequestSubmitter,
  query: ImageStatsModelsTotalRequestInput = {},
  options?: SubmitOptions,
): Promise<ImageStatsModelsTotalResponse> {
  return client.submitRequest(new ImageStatsModelsTotalRequest(query), options);
}

/** GET `/v2/stats/img/models`: images per model for the day, month and in total (`model_state` default `known`). */
export async function getImageStatsModels(
  client: RequestSubmitter,
  query: ImageStatsModelsRequestInput = {},
  options?: SubmitOptions,
): Promise<ImageStatsModelsResponse> {
  return client.submitRequest(new ImageStatsModelsRequest(query), options);
}

/** GET `/v2/stats/text/totals`: text requests and tokens per minute, hour, day, month and in total. */
export async function getTextStatsTotals(
  client: RequestSubmitter,
  query: TextStatsModelsTotalRequestInput = {},
  options?: SubmitOptions,
): Promise<TextStatsModelsTotalResponse> {
  return client.submitRequest(new TextStatsModelsTotalRequest(query), options);
}

/** GET `/v2/stats/text/models`: text requests per model for the day, month and in total. */
export async function getTextStatsModels(
  client: RequestSubmitter,
  query: TextStatsModelsRequestInput = {},
  options?: SubmitOptions,
): Promise<TextStatsModelResponse> {
  return client.submitRequest(new TextStatsModelsRequest(query), options);
}

// --- styles and collections -----------------------------------------------------------------------------------

/** GET `/v2/styles/image`: one page (25) of image styles (`sort`, `page`, `tag`, `model`). */
export async function getImageStyles(
  client: RequestSubmitter,
  query: AllStylesImageRequestInput = {},
  options?: SubmitOptions,
): Promise<AllStylesImageResponse> {
  return client.submitRequest(new AllStylesImageRequest(query), options);
}

/** GET `/v2/styles/image/{style_id}`. */
export async function getImageStyle(
  client: RequestSubmitter,
  styleId: string,
  query: Rest<SingleStyleImageByIDRequestInput, "style_id"> = {},
  options?: SubmitOptions,
): Promise<StyleStable> {
  return client.submitRequest(new SingleStyleImageByIDRequest({ ...query, style_id: styleId }), options);
}

/** GET `/v2/styles/image_by_name/{style_name}`. */
export async function getImageStyleByName(
  client: RequestSubmitter,
  styleName: string,
  query: Rest<SingleStyleImageByNameRequestInput, "style_name"> = {},
  options?: SubmitOptions,
): Promise<StyleStable> {
  return client.submitRequest(
    new SingleStyleImageByNameRequest({ ...query, style_name: styleName }),
    options,
  );
}

/** GET `/v2/styles/text`: one page (25) of text styles. */
export async function getTextStyles(
  client: RequestSubmitter,
  query: AllStylesTextRequestInput = {},
  options?: SubmitOptions,
): Promise<AllStylesTextResponse> {
  return client.submitRequest(new AllStylesTextRequest(query), options);
}

/** GET `/v2/styles/text/{style_id}`. */
export async function getTextStyle(
  client: RequestSubmitter,
  styleId: string,
  query: Rest<SingleStyleTextByIDRequestInput, "style_id"> = {},
  options?: SubmitOptions,
): Promise<StyleKobold> {
  return client.submitRequest(new SingleStyleTextByIDRequest({ ...query, style_id: styleId }), options);
}

/** GET `/v2/styles/text_by_name/{style_name}`. */
export async function getTextStyleByName(
  client: RequestSubmitter,
  styleName: string,
  query: Rest<SingleStyleTextByNameRequestInput, "style_name"> = {},
  options?: SubmitOptions,
): Promise<StyleKobold> {
  return client.submitRequest(new SingleStyleTextByNameRequest({ ...query, style_name: styleName }), options);
}

/** GET `/v2/collections`: one page (25) of style collections (`sort`, `page`, `type`). */
export async function getCollections(
  client: RequestSubmitter,
  query: AllCollectionsRequestInput = {},
  options?: SubmitOptions,
): Promise<AllCollectionsResponse> {
  return client.submitRequest(new AllCollectionsRequest(query), options);
}

/** GET `/v2/collections/{collection_id}`. */
export async function getCollection(
  client: RequestSubmitter,
  collectionId: string,
  query: Rest<CollectionByIDRequestInput, "collection_id"> = {},
  options?: SubmitOptions,
): Promise<ResponseModelCollection> {
  return client.submitRequest(new CollectionByIDRequest({ ...query, collection_id: collectionId }), options);
}

/** GET `/v2/collection_by_name/{collection_name}`. */
export async function getCollectionByName(
  client: RequestSubmitter,
  collectionName: string,
  query: Rest<CollectionByNameRequestInput, "collection_name"> = {},
  options?: SubmitOptions,
): Promise<ResponseModelCollection> {
  return client.submitRequest(
    new CollectionByNameRequest({ ...query, collection_name: collectionName }),
    options,
  );
}

// --- teams ----------------------------------------------------------------------------------------------------

/** GET `/v2/teams`: every team. */
export async function getTeams(
  client: RequestSubmitter,
  query: AllTeamDetailsRequestInput = {},
  options?: SubmitOptions,
): Promise<AllTeamDetailsResponse> {
  return client.submitRequest(new AllTeamDetailsRequest(query), options);
}

/** GET `/v2/teams/{team_id}`. 404 `TeamNotFound`. */
export async function getTeam(
  client: RequestSubmitter,
  teamId: string,
  query: Rest<SingleTeamDetailsRequestInput, "team_id"> = {},
  options?: SubmitOptions,
): Promise<TeamDetails> {
  return client.submitRequest(new SingleTeamDetailsRequest({ ...query, team_id: teamId }), options);
}

// --- documents ------------------------------------------------------------------------------------------------

/** The horde's documents. */
export type HordeDocumentName = "terms" | "privacy" | "sponsors";

/** GET `/v2/documents/{terms|privacy|sponsors}`: the document as `html` (default) or `markdown`. */
export async function getDocument(
  client: RequestSubmitter,
  document: HordeDocumentName,
  query: AIHordeGetTermsRequestInput = {},
  options?: SubmitOptions,
): Promise<HordeDocument> {
  const request =
    document === "terms"
      ? new AIHordeGetTermsRequest(query)
      : document === "privacy"
        ? new AIHordeGetPrivacyPolicyRequest(query)
        : new AIHordeGetSponsorsRequest(query);
  return client.submitRequest(request, options);
}
