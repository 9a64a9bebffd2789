/**
 * `horde-sdk/known`: the names the contract and the SDK know — samplers, post-processors, alchemy forms,
 * workflows, return codes, the anonymous key — without zod or the client, so that a CLI's help or a server's tables can use them
 * at almost no load cost. The lists are open: the server accepts values beyond them.
 *
 * @module
 */
export { ANONYMOUS_API_KEY, DEFAULT_BASE_URL } from "../core/constants.js";
export * from "../models/alchemy/forms.js";
export * from "../models/generated/known-values.js";
