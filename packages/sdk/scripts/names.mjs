// Class names of the SDK's request and response models, for `classes.mjs` (imported by codegen.mjs).
//
// Names follow the Python SDK (horde_sdk) where it has one; the rest follow the same pattern. Edit here, then
// run `npm run codegen`: the generator checks that every operation of the contract has an entry, that no
// name is used twice, and that hand-written and generated classes never overlap.

/**
 * Every operation of the contract: its request class, and where the class lives.
 *
 * - `request`: the request class name.
 * - `hand`: the module under src/models/ that defines the request class by hand, because it carries real
 *   semantics (job lifecycles, worker pop/submit). Absent: the request class is generated into
 *   src/models/generated/classes.ts.
 * - `responses` (hand-written operations only): the response class per success status. Generated
 *   operations take their response classes from DEFINITION_CLASSES / LIST_CLASSES below.
 */
export const NAMES = {
  // collections
  get_single_collection_by_name: { request: "CollectionByNameRequest" },
  get_collection: { request: "AllCollectionsRequest" },
  post_collection: { request: "CreateCollectionRequest" },
  get_single_collection: { request: "CollectionByIDRequest" },
  patch_single_collection: { request: "UpdateCollectionRequest" },
  delete_single_collection: { request: "DeleteCollectionRequest" },
  // documents
  get_docs_privacy: { request: "AIHordeGetPrivacyPolicyRequest" },
  get_docs_sponsors: { request: "AIHordeGetSponsorsRequest" },
  get_docs_terms: { request: "AIHordeGetTermsRequest" },
  // filters (moderators)
  get_filters: { request: "FiltersListRequest" },
  post_filters: { request: "FilterPromptSuspicionRequest" },
  put_filters: { request: "PutNewFilterRequest" },
  get_filter_regex: { request: "FilterRegexRequest" },
  get_filter_single: { request: "SingleFilterRequest" },
  patch_filter_single: { request: "PatchExistingFilter" },
  delete_filter_single: { request: "DeleteFilterRequest" },
  // users
  get_find_user: { request: "FindUserRequest" },
  get_users: { request: "ListUsersDetailsRequest" },
  get_user_single: { request: "SingleUserDetailsRequest" },
  put_user_single: { request: "ModifyUserRequest" },
  delete_user_single: { request: "DeleteUserRequest" },
  // image generation
  post_image_async_generate: {
    request: "ImageGenerateAsyncRequest",
    hand: "generate/async",
    responses: { 200: "ImageGenerateAsyncDryRunResponse", 202: "ImageGenerateAsyncResponse" },
  },
  get_image_async_check: {
    request: "ImageGenerateCheckRequest",
    hand: "generate/check",
    responses: { 200: "ImageGenerateCheckResponse" },
  },
  get_image_async_status: {
    request: "ImageGenerateStatusRequest",
    hand: "generate/status",
    responses: { 200: "ImageGenerateStatusResponse" },
  },
  delete_image_async_status: {
    request: "DeleteImageGenerateRequest",
    hand: "generate/status",
    responses: { 200: "ImageGenerateStatusResponse" },
  },
  post_aesthetics: { request: "RateRequest" },
  post_image_job_pop: {
    request: "ImageGenerateJobPopRequest",
    hand: "generate/pop",
    responses: { 200: "ImageGenerateJobPopResponse" },
  },
  post_image_job_submit: {
    request: "ImageGenerationJobSubmitRequest",
    hand: "generate/submit",
    responses: { 200: "JobSubmitResponse" },
  },
  // text generation
  post_text_async_generate: {
    request: "TextGenerateAsyncRequest",
    hand: "text/async",
    responses: { 200: "TextGenerateAsyncDryRunResponse", 202: "TextGenerateAsyncResponse" },
  },
  get_text_async_status: {
    request: "TextGenerateStatusRequest",
    hand: "text/status",
    responses: { 200: "TextGenerateStatusResponse" },
  },
  delete_text_async_status: {
    request: "DeleteTextGenerateRequest",
    hand: "text/status",
    responses: { 200: "TextGenerateStatusResponse" },
  },
  post_text_job_pop: {
    request: "TextGenerateJobPopRequest",
    hand: "text/pop",
    responses: { 200: "TextGenerateJobPopResponse" },
  },
  post_text_job_submit: {
    request: "TextGenerationJobSubmitRequest",
    hand: "text/submit",
    responses: { 200: "JobSubmitResponse" },
  },
  // alchemy (interrogation)
  post_interrogate: {
    request: "AlchemyAsyncRequest",
    hand: "alchemy/async",
    responses: { 202: "AlchemyAsyncResponse" },
  },
  get_interrogation_status: {
    request: "AlchemyStatusRequest",
    hand: "alchemy/status",
    responses: { 200: "AlchemyStatusResponse" },
  },
  delete_interrogation_status: {
    request: "AlchemyDeleteRequest",
    hand: "alchemy/status",
    responses: { 200: "AlchemyStatusResponse" },
  },
  post_interrogate_pop: {
    request: "AlchemyPopRequest",
    hand: "alchemy/pop",
    responses: { 200: "AlchemyJobPopResponse" },
  },
  post_interrogate_submit: {
    request: "AlchemyJobSubmitRequest",
    hand: "alchemy/submit",
    responses: { 200: "JobSubmitResponse" },
  },
  // kudos
  post_award_kudos: { request: "KudosAwardRequest" },
  post_transfer_kudos: { request: "KudosTransferRequest" },
  // operations (moderators)
  put_operations_block_worker_ip: { request: "BlockWorkerIPAddressRequest" },
  delete_operations_block_worker_ip: { request: "DeleteWorkerIPAddressRequest" },
  get_operations_ip: { request: "AllIPTimeoutsRequest" },
  post_operations_ip: { request: "BlockIPAddressRequest" },
  delete_operations_ip: { request: "DeleteIPAddressRequest" },
  get_operations_ip_single: { request: "SingleIPTimeoutsRequest" },
  // shared keys
  put_shared_key: { request: "SharedKeyCreateRequest" },
  get_shared_key_single: { request: "SharedKeyDetailsRequest" },
  patch_shared_key_single: { request: "SharedKeyModifyRequest" },
  delete_shared_key_single: { request: "SharedKeyDeleteRequest" },
  // stats
  get_image_horde_stats_models: { request: "ImageStatsModelsRequest" },
  get_image_horde_stats_totals: { request: "ImageStatsModelsTotalRequest" },
  get_text_horde_stats_models: { request: "TextStatsModelsRequest" },
  get_text_horde_stats_totals: { request: "TextStatsModelsTotalRequest" },
  // status
  get_heartbeat: {
    request: "AIHordeHeartbeatRequest",
    hand: "status/heartbeat",
    responses: { 200: "AIHordeHeartbeatResponse" },
  },
  get_models: { request: "HordeStatusModelsAllRequest" },
  get_model_single: { request: "HordeStatusModelsSingleRequest" },
  get_horde_modes: { request: "HordeModesRequest" },
  put_horde_modes: { request: "ModifyHordeModesRequest" },
  get_horde_news: { request: "NewsRequest" },
  get_horde_load: { request: "HordePerformanceRequest" },
  // styles
  get_image_style: { request: "AllStylesImageRequest" },
  post_image_style: { request: "CreateStyleImageRequest" },
  get_single_image_style: { request: "SingleStyleImageByIDRequest" },
  patch_single_image_style: { request: "ModifyStyleImageRequest" },
  delete_single_image_style: { request: "DeleteStyleImageRequest" },
  post_image_style_example: { request: "StyleImageExampleAddRequest" },
  patch_single_image_style_example: { request: "StyleImageExampleModifyRequest" },
  delete_single_image_style_example: { request: "StyleImageExampleDeleteRequest" },
  get_single_image_style_by_name: { request: "SingleStyleImageByNameRequest" },
  get_text_style: { request: "AllStylesTextRequest" },
  post_text_style: { request: "CreateStyleTextRequest" },
  get_single_text_style: { request: "SingleStyleTextByIDRequest" },
  patch_single_text_style: { request: "ModifyStyleTextRequest" },
  delete_single_text_style: { request: "DeleteStyleTextRequest" },
  get_single_text_style_by_name: { request: "SingleStyleTextByNameRequest" },
  // teams
  get_teams: { request: "AllTeamDetailsRequest" },
  post_teams: { request: "CreateTeamRequest" },
  get_team_single: { request: "SingleTeamDetailsRequest" },
  patch_team_single: { request: "ModifyTeamRequest" },
  delete_team_single: { request: "DeleteTeamRequest" },
  // workers
  get_workers: { request: "AllWorkersDetailsRequest" },
  get_worker_messages: { request: "AllWorkerMessagesRequest" },
  post_worker_messages: { request: "CreateWorkerMessageRequest" },
  get_single_worker_message: { request: "SingleWorkerMessageRequest" },
  delete_single_worker_message: { request: "DeleteWorkerMessageRequest" },
  get_worker_single_name: { request: "SingleWorkerNameDetailsRequest" },
  get_worker_single: { request: "SingleWorkerDetailsRequest" },
  put_worker_single: { request: "ModifyWorkerRequest" },
  delete_worker_single: { request: "DeleteWorkerRequest" },
};

/**
 * One response class per success shape: the contract definition a success body is (or, for list responses,
 * whose items it holds) -> the class for one such object. The same class serves as a single response and as
 * the item class of list responses. Definitions answered only by hand-written operations are absent.
 */
export const DEFINITION_CLASSES = {
  ResponseModelCollection: "ResponseModelCollection",
  StyleModify: "StyleModifyResponse",
  SimpleResponse: "SimpleResponse",
  HordeDocument: "HordeDocument",
  FilterDetails: "FilterDetails",
  FilterPromptSuspicion: "FilterPromptSuspicionResponse",
  FilterRegex: "FilterRegex",
  UserDetails: "UserDetailsResponse",
  // `{reward}`: the answer of the three worker submits (hand-written) and of RateRequest
  GenerationSubmitted: "JobSubmitResponse",
  KudosAwarded: "KudosAwardResponse",
  KudosTransferred: "KudosTransferResponse",
  IPTimeout: "IPTimeout",
  SharedKeyDetails: "SharedKeyDetailsResponse",
  ImgModelStats: "ImageStatsModelsResponse",
  StatsImgTotals: "ImageStatsModelsTotalResponse",
  TxtModelStats: "TextStatsModelResponse",
  StatsTxtTotals: "TextStatsModelsTotalResponse",
  ActiveModel: "ActiveModel",
  HordeModes: "HordeModes",
  Newspiece: "Newspiece",
  HordePerformance: "HordePerformanceResponse",
  StyleStable: "StyleStable",
  StyleKobold: "StyleKobold",
  TeamDetails: "TeamDetails",
  ModifyTeam: "ModifyTeam",
  DeletedTeam: "DeleteTeamResponse",
  ModifyUser: "ModifyUserResponse",
  WorkerDetails: "WorkerDetailItem",
  ResponseModelMessageFull: "WorkerMessageResponse",
  ModifyWorker: "ModifyWorkerResponse",
  DeletedWorker: "DeleteWorkerResponse",
};

/**
 * List responses (a JSON array of one definition): item definition -> the list response class. One class per
 * shape: GET /v2/status/models and /v2/status/models/{model_name} both answer HordeStatusModelsAllResponse,
 * GET /v2/filters and /v2/filters/{filter_id} both FiltersListResponse.
 */
export const LIST_CLASSES = {
  ResponseModelCollection: "AllCollectionsResponse",
  FilterDetails: "FiltersListResponse",
  FilterRegex: "FilterRegexResponse",
  IPTimeout: "IPTimeoutListResponse",
  ActiveModel: "HordeStatusModelsAllResponse",
  Newspiece: "NewsResponse",
  StyleStable: "AllStylesImageResponse",
  StyleKobold: "AllStylesTextResponse",
  TeamDetails: "AllTeamDetailsResponse",
  UserDetails: "ListUsersDetailsResponse",
  WorkerDetails: "AllWorkersDetailsResponse",
  ResponseModelMessageFull: "AllWorkerMessagesResponse",
};

/**
 * Query parameters whose accepted values the contract only gives in prose. Typed as open string unions
 * (`"image" | "text" | (string & {})`): autocomplete for the known values, nothing rejected client-side.
 * Key: `operationId.parameter`.
 */
export const QUERY_VALUES = {
  "get_collection.sort": ["popular", "age"],
  "get_collection.type": ["image", "text", "all"],
  "get_docs_privacy.format": ["html", "markdown"],
  "get_docs_sponsors.format": ["html", "markdown"],
  "get_docs_terms.format": ["html", "markdown"],
  "get_image_horde_stats_models.model_state": ["known", "custom", "all"],
  "get_models.type": ["image", "text"],
  "get_models.model_state": ["known", "custom", "all"],
  "get_image_style.sort": ["popular", "age"],
  "get_text_style.sort": ["popular", "age"],
  "get_users.sort": ["kudos", "age"],
  "get_workers.type": ["image", "text", "interrogation"],
  "get_worker_messages.validity": ["active", "expired", "all"],
};

/**
 * Path parameters with a stricter format than "a non-empty string", checked before anything is sent.
 * Key: parameter name (in every operation that has it).
 */
export const PATH_PARAM_RULES = {
  // docs/server/directory.md#user-details: only the digits of `alias#id` are accepted; anything else is a 404 UserNotFound.
  user_id: {
    pattern: "^\\d+$",
    message: "use only the numerical part of the user id (the 1 of db0#1)",
    // the read shortcut takes the number as a number too: `getUser(1)`
    acceptsNumber: true,
  },
};

/**
 * The read shortcuts: methods of the client (and of its sessions) for the GET endpoints people use every
 * day, generated into src/models/generated/shortcuts.ts. Each builds its request class from its path
 * parameters (positional, in path order) and the request's other fields, and sends it with `submitRequest`.
 * `note` is added to the contract's summary in the method's doc comment. Writes (kudos transfers, worker
 * changes, styles, …) have no shortcut: build the request class and call `submitRequest`.
 */
export const SHORTCUTS = {
  // status
  get_heartbeat: { name: "getHeartbeat", note: "`message` is `OK` when the node is healthy." },
  get_models: {
    name: "getModels",
    note: 'QUIRK: `type` defaults to `image` on the server; pass `{ type: "text" }` for text models.',
  },
  get_model_single: {
    name: "getModel",
    note: "One model, as a list (empty for a name the horde does not know): use `response.at(0)`.",
  },
  get_horde_load: { name: "getPerformance" },
  get_horde_news: { name: "getNews" },
  get_horde_modes: { name: "getModes" },
  // users
  get_find_user: {
    name: "findUser",
    note:
      "The user of the client's key (or of `query.apikey`); a shared key gives its owner's public details. " +
      "401 `InvalidAPIKey` without a key, 404 `UserNotFound` for an unknown one.",
  },
  get_users: { name: "getUsers", note: "One page (25), sorted by `kudos` (default) or `age`." },
  get_user_single: {
    name: "getUser",
    note: "`userId` is the number of `alias#number` (validated before sending).",
  },
  // workers
  get_workers: {
    name: "getWorkers",
    note:
      "Active workers (checked in within 5 minutes), of one `type` or one `name`. Large: mask it, e.g. " +
      '`{ x_fields: ["id", "name"] }`.',
  },
  get_worker_single: { name: "getWorker", note: "Also an inactive one. 404 `WorkerNotFound`." },
  get_worker_single_name: { name: "getWorkerByName", note: "404 `WorkerNotFound`." },
  // stats
  get_image_horde_stats_totals: { name: "getImageStatsTotals" },
  get_image_horde_stats_models: { name: "getImageStatsModels" },
  get_text_horde_stats_totals: { name: "getTextStatsTotals" },
  get_text_horde_stats_models: { name: "getTextStatsModels" },
  // styles and collections
  get_image_style: { name: "getImageStyles", note: "One page (25)." },
  get_single_image_style: { name: "getImageStyle" },
  get_single_image_style_by_name: { name: "getImageStyleByName" },
  get_text_style: { name: "getTextStyles", note: "One page (25)." },
  get_single_text_style: { name: "getTextStyle" },
  get_single_text_style_by_name: { name: "getTextStyleByName" },
  get_collection: { name: "getCollections", note: "One page (25)." },
  get_single_collection: { name: "getCollection" },
  get_single_collection_by_name: { name: "getCollectionByName" },
  // teams
  get_teams: { name: "getTeams" },
  get_team_single: { name: "getTeam", note: "404 `TeamNotFound`." },
  // documents
  get_docs_terms: { name: "getTerms", note: "As `html` (default) or `markdown`." },
  get_docs_privacy: { name: "getPrivacyPolicy", note: "As `html` (default) or `markdown`." },
  get_docs_sponsors: { name: "getSponsors", note: "As `html` (default) or `markdown`." },
};
