/**
 * horde-sdk/node: what only Node can do, apart from the browser-safe package root — a job store in a file
 * that every process of the machine can share (see the durable-jobs guide in docs/guides/).
 *
 * @packageDocumentation
 * @module horde-sdk/node
 */
export { HordeJobStoreError } from "../core/errors.js";
export { FileJobStore, type FileJobStoreOptions } from "./file-store.js";
export type { LockOptions } from "./lock.js";
