/** Throw-away directory trees, for tests of the scripts that read a repository (`--root DIR`). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

/**
 * A temporary directory holding `files` (relative path → text), removed when the test that made it
 * finishes. Call it inside a test.
 */
export function tempTree(files: Record<string, string>, prefix = "tree-"): string {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}
