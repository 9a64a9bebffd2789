// One card per request submitted from the page. The card runs the whole lifecycle with the SDK's
// `client.generateImage` (submit → adaptive polling of /check → /status → downloads), shows every progress
// snapshot, fetches the images that finished early, and cancels on the server through an AbortSignal.
import {
  type AIHordeAPIClient,
  decodeBase64,
  type GenerateImageResult,
  HordeAbortError,
  HordeError,
  HordeJobError,
  type ImageGenerateCheckResponse,
  ImageGenerateStatusRequest,
  ImageGenerateStatusResponse,
  type ImageGeneration,
} from "horde-sdk";
import { type Child, fill, h } from "./dom.js";
import type { FormRequest } from "./form.js";
import { duration, num, plural, shortId } from "./format.js";

type Progress = Pick<ImageGenerateCheckResponse, "finished" | "processing" | "waiting" | "restarted">;

type CardState = "submitting" | "waiting" | "processing" | "finished" | "cancelling" | "cancelled" | "failed";

const STATE_LABELS: Record<CardState, string> = {
  submitting: "Submitting",
  waiting: "Waiting",
  processing: "Processing",
  finished: "Finished",
  cancelling: "Cancelling",
  cancelled: "Cancelled",
  failed: "Failed",
};

let cardCount = 0;

export class JobCard {
  readonly element: HTMLLIElement;
  readonly #client: AIHordeAPIClient;
  readonly #form: FormRequest;
  readonly #controller = new AbortController();
  readonly #started = performance.now();
  readonly #badge: HTMLSpanElement;
  readonly #idText: HTMLElement;
  readonly #status: HTMLParagraphElement;
  readonly #announce: HTMLSpanElement;
  readonly #progress: HTMLProgressElement;
  readonly #counts: HTMLParagraphElement;
  readonly #images: HTMLDivElement;
  readonly #actions: HTMLDivElement;
  /** Generation id → its figure, so an image fetched early is not drawn twice. */
  readonly #shown = new Map<string, HTMLElement>();
  readonly #objectUrls: string[] = [];
  #id: string | null = null;
  #state: CardState = "submitting";
  #fetchingEarly = false;
  #onRemove: () => void = () => {};

  constructor(client: AIHordeAPIClient, form: FormRequest) {
    this.#client = client;
    this.#form = form;
    const n = ++cardCount;
    const { summary } = form;
    this.#badge = h("span", { class: "badge" });
    this.#idText = h("code", { class: "job-id" }, "not yet submitted");
    this.#status = h("p", { class: "job-status" });
    // Screen readers hear state changes (not every poll's new estimate).
    this.#announce = h("span", { class: "visually-hidden", role: "status" });
    this.#progress = h("progress", { max: summary.n, value: 0, "aria-label": "Images finished" });
    this.#counts = h("p", { class: "job-counts" });
    this.#images = h("div", { class: "images" });
    this.#actions = h("div", { class: "job-actions" });
    const details = [
      `${summary.width}×${summary.height}`,
      plural(summary.steps, "step"),
      plural(summary.n, "image"),
      summary.model ?? "any model",
    ].join(" · ");
    this.element = h(
      "li",
      { class: "job card", "aria-labelledby": `job-${n}-title` },
      h(
        "div",
        { class: "job-head" },
        h("h3", { id: `job-${n}-title`, class: "job-prompt" }, summary.prompt),
        this.#badge,
      ),
      h("p", { class: "job-meta" }, this.#idText, h("span", {}, details)),
      h("div", { class: "job-progress" }, this.#progress, this.#counts),
      h("div", { class: "job-foot" }, this.#status, this.#actions),
      this.#announce,
      this.#images,
    );
    this.#render();
  }

  /** Called when the card is removed from the page. */
  set onRemove(fn: () => void) {
    this.#onRemove = fn;
  }

  get state(): CardState {
    return this.#state;
  }

  /** Runs the request to its end; never rejects (every outcome is shown on the card). */
  async run(): Promise<void> {
    const signal = this.#controller.signal;
    try {
      const result = await this.#client.generateImage(this.#form.request, {
        signal,
        onSubmitted: (accepted) => {
          this.#id = accepted.id;
          this.#state = "waiting";
          this.#status.textContent = `Accepted · ${num(accepted.kudos ?? 0)} kudos per image`;
          this.#render();
        },
        onProgress: ({ progress }) => this.#onProgress(progress),
      });
      this.#finish(result);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Abort: the SDK sends the DELETE, then generateImage rejects with a HordeAbortError. */
  cancel(): void {
    if (this.#state === "finished" || this.#state === "cancelled" || this.#state === "failed") return;
    this.#state = "cancelling";
    this.#status.textContent = "Cancelling on the server…";
    this.#render();
    this.#controller.abort();
  }

  remove(): void {
    this.cancel();
    for (const url of this.#objectUrls) URL.revokeObjectURL(url);
    this.element.remove();
    this.#onRemove();
  }

  #onProgress(check: ImageGenerateCheckResponse): void {
    if (this.#state === "cancelling") return;
    this.#showCounts(check);
    if (check.done) {
      this.#state = "processing";
      this.#status.textContent = "Done on the horde · downloading the images…";
    } else if (check.processing > 0 || check.finished > 0) {
      this.#state = "processing";
      this.#status.textContent = `Processing · ${eta(check.wait_time)}`;
    } else {
      this.#state = "waiting";
      const where = check.queue_position > 0 ? `Queue position ${check.queue_position}` : "Next in line";
      const possible = check.is_possible ? "" : " · no worker can serve this request right now";
      this.#status.textContent = `${where} · ${eta(check.wait_time)}${possible}`;
    }
    this.#render();
    // Images that finished before the others: show them now (one /status call, not more than one at a time).
    if (!check.done && check.finished > this.#shown.size && !this.#fetchingEarly && this.#id) {
      void this.#fetchEarlyImages(this.#id);
    }
  }

  async #fetchEarlyImages(id: string): Promise<void> {
    this.#fetchingEarly = true;
    try {
      const status = await this.#client.submitRequest(new ImageGenerateStatusRequest({ id }), {
        signal: this.#controller.signal,
      });
      if (this.#state !== "finished") this.#showGenerations(status.generations);
    } catch {
      // The final /status will bring them; an early look is a nicety.
    } finally {
      this.#fetchingEarly = false;
    }
  }

  #finish(result: GenerateImageResult): void {
    this.#state = "finished";
    this.#progress.value = result.status.finished;
    const elapsed = duration(performance.now() - this.#started);
    this.#status.textContent = `${plural(result.images.length, "image")} in ${elapsed} · ${num(result.status.kudos)} kudos`;
    result.images.forEach(({ generation, bytes, error }, i) => {
      if (bytes) this.#showImage(generation, this.#objectUrl(bytes), i + 1);
      else this.#showMissing(generation, error?.message ?? "no image");
    });
    this.#render();
  }

  #fail(error: unknown): void {
    if (error instanceof HordeAbortError) {
      this.#state = "cancelled";
      const partial = error.partial instanceof ImageGenerateStatusResponse ? error.partial : undefined;
      const delivered = partial?.generations.length ?? 0;
      this.#status.textContent = `Cancelled on the server after ${duration(performance.now() - this.#started)}${
        delivered > 0 ? ` · ${plural(delivered, "image")} delivered before` : ""
      }`;
      if (partial) {
        this.#showCounts(partial);
        this.#showGenerations(partial.generations);
      }
    } else {
      this.#state = "failed";
      const reason =
        error instanceof HordeJobError
          ? `${error.reason}: ${error.message}`
          : error instanceof HordeError
            ? error.message
            : `unexpected error: ${String(error)}`;
      this.#status.textContent = reason;
    }
    this.#render();
  }

  /** The progress counters of a /check or /status snapshot. */
  #showCounts(progress: Progress): void {
    this.#progress.value = progress.finished ?? 0;
    fill(
      this.#counts,
      count("waiting", progress.waiting ?? 0),
      count("processing", progress.processing ?? 0),
      count("finished", progress.finished ?? 0),
      (progress.restarted ?? 0) > 0 && count("restarted", progress.restarted ?? 0),
    );
  }

  /** Show generations from a status document: R2 URLs as they are, base64 decoded into a Blob. */
  #showGenerations(generations: readonly ImageGeneration[]): void {
    generations.forEach((generation, i) => {
      const img = generation.img;
      if (this.#shown.has(generation.id) || typeof img !== "string" || img === "" || img === "N/A") return;
      this.#showImage(generation, generation.isUrl ? img : this.#objectUrl(decodeBase64(img)), i + 1);
    });
  }

  #objectUrl(bytes: Uint8Array): string {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/webp" }));
    this.#objectUrls.push(url);
    return url;
  }

  #showImage(generation: ImageGeneration, src: string, index: number): void {
    const alt = `Image ${index} of “${this.#form.summary.prompt}”, seed ${generation.seed}`;
    const figure = h(
      "figure",
      { class: "image" },
      h("img", { src, alt, loading: "lazy", decoding: "async" }),
      h(
        "figcaption",
        {},
        h(
          "span",
          { class: "caption-line" },
          h("span", {}, `seed ${generation.seed}`),
          generation.censored && h("span", { class: "tag" }, "censored"),
          h(
            "a",
            { href: src, download: `${shortId(this.#id ?? "image")}-${index}.webp` },
            "Save",
            h("span", { class: "visually-hidden" }, ` image ${index}`),
          ),
        ),
        h("span", { class: "muted" }, generation.worker_name),
      ),
    );
    this.#place(generation, figure);
  }

  #showMissing(generation: ImageGeneration, reason: string): void {
    this.#place(generation, h("figure", { class: "image missing" }, h("p", {}, `No image: ${reason}`)));
  }

  #place(generation: ImageGeneration, figure: HTMLElement): void {
    const existing = this.#shown.get(generation.id);
    if (existing) existing.replaceWith(figure);
    else this.#images.append(figure);
    this.#shown.set(generation.id, figure);
  }

  #render(): void {
    const state = this.#state;
    this.element.dataset.state = state;
    this.#badge.dataset.state = state;
    if (this.#badge.textContent !== STATE_LABELS[state]) {
      this.#badge.textContent = STATE_LABELS[state];
      const done = state === "finished" || state === "cancelled" || state === "failed";
      this.#announce.textContent = `${this.#form.summary.prompt}: ${STATE_LABELS[state]}${done ? `. ${this.#status.textContent}` : ""}`;
    }
    if (this.#id) this.#idText.textContent = shortId(this.#id);
    if (this.#id) this.#idText.title = this.#id;
    const running = state === "submitting" || state === "waiting" || state === "processing";
    const buttons: Child[] = running
      ? [
          h(
            "button",
            { type: "button", class: "secondary", onclick: () => this.cancel() },
            "Cancel",
            h("span", { class: "visually-hidden" }, ` “${this.#form.summary.prompt}”`),
          ),
        ]
      : state === "cancelling"
        ? [h("button", { type: "button", class: "secondary", disabled: true }, "Cancelling…")]
        : [
            h(
              "button",
              { type: "button", class: "ghost", onclick: () => this.remove() },
              "Remove",
              h("span", { class: "visually-hidden" }, ` “${this.#form.summary.prompt}”`),
            ),
          ];
    // Keep the focused button if the set of buttons did not change (no focus loss on every poll).
    const current = this.#actions.textContent;
    const next = buttons.map((b) => (b instanceof Node ? b.textContent : "")).join("");
    if (current !== next) fill(this.#actions, ...buttons);
  }
}

/** The server's estimate (`wait_time`, seconds) in words. */
function eta(seconds: number): string {
  return seconds > 0 ? `about ${duration(seconds * 1000)} left` : "any moment now";
}

function count(label: string, value: number): HTMLSpanElement {
  return h("span", { class: `count count-${label}` }, h("b", {}, value), ` ${label}`);
}
