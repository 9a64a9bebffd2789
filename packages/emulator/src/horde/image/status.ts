/** Reading an image request (docs/server/image-requests.md#check, docs/server/image-requests.md#status): `GET /v2/generate/check/{id}` and `GET /v2/generate/status/{id}`. */
import { err } from "../errors.js";
import { sweep } from "../lifecycle.js";
import type { ImageRequest } from "../store/requests.js";
import type { HordeStore } from "../store/store.js";
import {
  type ImageStatusView,
  imageStatusView,
  type StatusCheck,
  statusCheck,
} from "../views/request-status.js";

/**
 * Unknown, malformed and expired ids all look the same (docs/server/image-requests.md#expiry). Image routes
 * only see image requests.
 * `what` is the server's label in the message: "Check", "Status" or "Delete".
 */
export function findImageRequest(
  store: HordeStore,
  id: string,
  what: "Check" | "Status" | "Delete",
): ImageRequest {
  sweep(store);
  const req = store.findRequest("image", id);
  if (!req)
    throw err.notFound(`Image Waiting Prompt (${what}) with ID '${id}' not found.`, "RequestNotFound");
  return req;
}

/** The progress fields only: cheap, and rate-limited less (docs/server/image-requests.md#check). */
export function checkImage(store: HordeStore, id: string): StatusCheck {
  return statusCheck(store, findImageRequest(store, id, "Check"));
}

/** The full status with the generations; R2 download URLs are minted under `origin`. */
export function getImageStatus(store: HordeStore, id: string, origin: string): ImageStatusView {
  return imageStatusView(store, findImageRequest(store, id, "Status"), origin);
}
