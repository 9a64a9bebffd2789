/**
 * The example corpus of horde_sdk (`../shared/conformance/horde-sdk-examples`), read for its shapes: a
 * response of the emulator must only use keys the corpus example of that endpoint has. Tests that need
 * it are skipped when the corpus is not there.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
export const CORPUS = path.resolve(REPO_ROOT, "../shared/conformance/horde-sdk-examples");
export const corpusPresent = existsSync(CORPUS);

/** Paths under these keys are free-form maps (model names, form results, special payloads). */
const FREE_FORM = new Set(["result", "special", "day", "month", "total", "payload.special"]);

/** Dotted key paths of a JSON value; array items share the path `[]`. */
export function keyPaths(value: unknown, prefix = ""): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, p: string) => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item, `${p}[].`);
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        out.add(`${p}${k}`);
        if (!FREE_FORM.has(k) && !FREE_FORM.has(`${p}${k}`)) walk(child, `${p}${k}.`);
      }
    }
  };
  walk(value, prefix);
  return out;
}

export function corpusExample(file: string): unknown {
  return JSON.parse(readFileSync(path.join(CORPUS, file), "utf8"));
}

/** Keys of `body` that the corpus example does not have ([] when the shapes agree). */
export function extraKeys(file: string, body: unknown): string[] {
  const allowed = keyPaths(corpusExample(file));
  return [...keyPaths(body)].filter((k) => !allowed.has(k));
}

/** Keys of the corpus example that `body` lacks. */
export function missingKeys(file: string, body: unknown): string[] {
  const have = keyPaths(body);
  return [...keyPaths(corpusExample(file))].filter((k) => !have.has(k));
}
