// Types of build-ui.mjs, for the tests that build the page before driving it.
export interface BuildUiOptions {
  /** Default: packages/emulator/dist/ui. */
  outdir?: string;
  /** Bundle horde-sdk from its TypeScript sources instead of its package (dist/). */
  sdkFromSource?: boolean;
  /** Default true. */
  minify?: boolean;
}

export function buildUi(
  options?: BuildUiOptions,
): Promise<{ outdir: string; files: { path: string; bytes: number }[] }>;
