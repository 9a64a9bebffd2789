/**
 * horde-sdk/node: what only Node can do, apart from the browser-safe package root — a job store in a file
 * that every process of the machine can share (see the durable-jobs guide in docs/guides/), and a webhook
 * receiver for node:http (the webhooks guide there).
 *
 * @packageDocumentation
 * @module horde-sdk/node
 */
export { HordeJobStoreError } from "../core/errors.js";
export { FileJobStore, type FileJobStoreOptions } from "./file-store.js";
export type { LockOptions } from "./lock.js";
export { webhookListener } from "./webhook-listener.js";
