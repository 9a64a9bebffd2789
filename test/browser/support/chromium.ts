// Debian's Chromium driven by playwright-core (`npx playwright install` cannot download a browser here; see
// docs: ts-ecosystem §3.11). When Chromium is missing or cannot start, the browser tests are skipped and
// the reason is printed — never silently.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless, as root in CI, on a machine whose network is closed (no background connections). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export type Launch = { browser: Browser; reason?: undefined } | { browser?: undefined; reason: string };

/** Start Chromium, or say why it cannot run (the caller skips its tests with that reason). */
export async function launchChromium(suite: string): Promise<Launch> {
  let launched: Launch;
  if (!existsSync(CHROMIUM_PATH)) {
    launched = {
      reason: `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, or set CHROMIUM_PATH)`,
    };
  } else {
    try {
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 30_000,
      });
      launched = { browser };
    } catch (error) {
      const message = (error as Error).message.split("\n")[0];
      launched = { reason: `Chromium at ${CHROMIUM_PATH} could not start: ${message}` };
    }
  }
  if (launched.reason) console.warn(`[${suite}] browser tests skipped: ${launched.reason}`);
  return launched;
}

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Where screenshots go: test-results/browser/ (gitignored), created on demand. */
export async function artifactPath(name: string): Promise<string> {
  const dir = `${repoRoot}test-results/browser`;
  await mkdir(dir, { recursive: true });
  return `${dir}/${name}`;
}
