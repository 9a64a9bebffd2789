// The horde-sdk example corpus (../shared/conformance/horde-sdk-examples), as the two suites that read it see
// it: corpus-schemas.test.ts parses every document with the generated schemas, corpus-conformance.test.ts
// with the SDK's classes in strict mode. Both map a file to its operation by name, and both list the
// documents that genuinely violate the contract.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type OperationId, operations } from "../../src/models/generated/operations.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CORPUS = path.resolve(REPO_ROOT, "../shared/conformance/horde-sdk-examples");
export const corpusPresent = existsSync(CORPUS);
if (!corpusPresent) console.warn(`the corpus suites are skipped: no example corpus at ${CORPUS}`);

/** The folders of API documents (payloads and responses); `ratings_api/` and the error sample are apart. */
export const CORPUS_API_FOLDERS = [
  "example_payloads",
  "example_responses",
  "example_production_responses",
  "production_responses",
] as const;

export interface CorpusFile {
  folder: (typeof CORPUS_API_FOLDERS)[number];
  file: string;
  /** `<folder>/<file>`. */
  id: string;
}

/** Every API document of the corpus, folder by folder, each folder's files sorted (none without the corpus). */
export const corpusApiFiles: CorpusFile[] = corpusPresent
  ? CORPUS_API_FOLDERS.flatMap((folder) =>
      existsSync(path.join(CORPUS, folder))
        ? readdirSync(path.join(CORPUS, folder))
            .filter((f) => f.endsWith(".json"))
            .sort()
            .map((file) => ({ folder, file, id: `${folder}/${file}` }))
        : [],
    )
  : [];

/** A document of the corpus, parsed; `rel` is its path in the corpus (`example_responses/…json`). */
export function readCorpus(rel: string): unknown {
  return JSON.parse(readFileSync(path.join(CORPUS, rel), "utf8"));
}

/** `_v2_<path>_<verb>` as the corpus spells it: every non-word character becomes `_`, runs of `_` collapse. */
function corpusKey(opPath: string, method: string): string {
  return `${opPath}_${method.toLowerCase()}`.replace(/\W/g, "_").replace(/_+/g, "_");
}

const byKey = new Map<string, OperationId>();
for (const id of Object.keys(operations) as OperationId[]) {
  const k = corpusKey(operations[id].path, operations[id].method);
  if (byKey.has(k)) throw new Error(`two operations map to the corpus key ${k}`);
  byKey.set(k, id);
}
// Longest key first, so that a verb-suffixed key is never matched by a shorter path.
const keysLongestFirst = [...byKey.keys()].sort((a, b) => b.length - a.length);

export interface ResolvedCorpusFile {
  operationId: OperationId;
  /** The response status a response file is named after; null for a payload. */
  status: number | null;
}

/** File name → its operation (and the status for a response), or null when no operation matches. */
export function resolveCorpusFile(fileName: string): ResolvedCorpusFile | null {
  const stem = fileName.replace(/\.json$/, "");
  for (const k of keysLongestFirst) {
    if (stem !== k && !stem.startsWith(`${k}_`)) continue;
    const m = /^(?:_(\d{3}))?(?:_production)?$/.exec(stem.slice(k.length));
    if (!m) continue;
    return { operationId: byKey.get(k) as OperationId, status: m[1] === undefined ? null : Number(m[1]) };
  }
  return null;
}

export type CorpusDeviation =
  /** The file maps to no operation of the contract. */
  | { kind: "no-operation"; reason: string }
  /** The document fails validation; `paths` are exactly the issue paths reported (each joined with "."). */
  | { kind: "invalid"; reason: string; paths: string[] };

const MESSAGE_FULL =
  "worker messages are ResponseModelMessageFull (id, user_id, created, expiry as a date-time string); the " +
  "horde-sdk example was generated from the server's own swagger, where a later model reused the name " +
  "ResponseModelMessage for the POST body (worker_id, message, origin, expiry in hours), see README-swagger.md";
const messageFull = (prefix: string) => ["created", "expiry", "id", "user_id"].map((p) => `${prefix}${p}`);

/**
 * Corpus documents that genuinely violate the contract, for the schemas and the classes alike. Keys:
 * `<folder>/<file>`. Each suite adds what only it sees, and asserts that every entry still deviates.
 */
export const CORPUS_DEVIATIONS: Record<string, CorpusDeviation> = {
  "example_payloads/_v2_kudos_kai_user_id_post.json": {
    kind: "no-operation",
    reason: "POST /v2/kudos/kai/{user_id} was removed from the server; the contract has no such operation",
  },
  "example_payloads/_v2_interrogate_submit_post.json": {
    kind: "invalid",
    reason: 'placeholder `result: ""`; the server requires an object (the form results by form name)',
    paths: ["result"],
  },
  "example_responses/_v2_filters_post_200.json": {
    kind: "invalid",
    reason: '`suspicion: 0` as a number; FilterPromptSuspicion.suspicion is a fields.String, sent as "0"',
    paths: ["suspicion"],
  },
  "example_responses/_v2_filters_filter_id_get_200.json": {
    kind: "invalid",
    reason:
      "a single FilterDetails object; the contract declares a list (marshal_with as_list) for GET " +
      "/v2/filters/{filter_id}. Unverified which one the server sends: kept as the contract says",
    paths: [""],
  },
  "example_responses/_v2_workers_messages_get_200.json": {
    kind: "invalid",
    reason: MESSAGE_FULL,
    paths: messageFull("0."),
  },
  "example_responses/_v2_workers_messages_message_id_get_200.json": {
    kind: "invalid",
    reason: MESSAGE_FULL,
    paths: messageFull(""),
  },
  "example_responses/_v2_workers_messages_post_200.json": {
    kind: "invalid",
    reason: MESSAGE_FULL,
    paths: messageFull(""),
  },
  "example_responses/_v2_workers_get_200.json": {
    kind: "invalid",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL}`,
    paths: messageFull("0.messages.0."),
  },
  "example_responses/_v2_workers_name_worker_name_get_200.json": {
    kind: "invalid",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL}`,
    paths: messageFull("messages.0."),
  },
  "example_responses/_v2_workers_worker_id_get_200.json": {
    kind: "invalid",
    reason: `WorkerDetails.messages: ${MESSAGE_FULL}`,
    paths: messageFull("messages.0."),
  },
};
