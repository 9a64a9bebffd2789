/**
 * `horde-sdk/known`: the names the contract and the SDK know — samplers, post-processors, alchemy forms,
 * workflows, return codes — without zod or the client, so that a CLI's help or a server's tables can use them
 * at almost no load cost. The lists are open: the server accepts values beyond them.
 *
 * @module
 */
export * from "../models/alchemy/forms.js";
export * from "../models/generated/known-values.js";
