// The horde panel: what the horde looks like right now. The public API through the SDK (performance,
// workers, the user behind the key, models), the emulator's own admin API under /_emulator/ for what the
// public API does not tell (every request with its outcome, job counters, every account's kudos).
import type { AIHordeAPIClient } from "horde-sdk";
import type { AdminUserView, EmulatorStats, RequestSummary } from "../../horde/views/admin.js";
import { byId, fill, h } from "./dom.js";
import { clock, num, shortId } from "./format.js";

export interface PanelOptions {
  /** A client for the public API (reads only). */
  client: AIHordeAPIClient;
  /** The emulator's admin API, e.g. `http://127.0.0.1:7001/_emulator`. */
  adminUrl: string;
  /** Its token (from the page's `?token=`), or null when the page was opened without one. */
  adminToken: string | null;
  /** The key whose kudos the panel shows. */
  apikey(): string;
  /** Called with the image models some worker serves. */
  onModels(names: string[]): void;
  intervalMs?: number;
}

export interface Panel {
  /** Refresh as soon as possible (e.g. after a job ended). */
  refreshSoon(): void;
  stop(): void;
}

const RECENT_REQUESTS = 8;

export function startPanel(options: PanelOptions): Panel {
  const intervalMs = options.intervalMs ?? 2000;
  let stopped = false;
  let wake: (() => void) | null = null;

  const admin = async <T>(path: string): Promise<T> => {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.adminToken) headers.Authorization = `Bearer ${options.adminToken}`;
    const response = await fetch(`${options.adminUrl}${path}`, { headers });
    if (response.status === 401) {
      throw new Error(`${path} needs the admin token: open the page at the address horde serve printed`);
    }
    if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
    return (await response.json()) as T;
  };

  const refresh = async (): Promise<void> => {
    const { client } = options;
    const [performance, workers, user, models, stats, requests, users, time] = await Promise.allSettled([
      client.getPerformance(),
      client.getWorkers(),
      client.findUser({ apikey: options.apikey() }),
      client.getModels({ type: "image" }),
      admin<EmulatorStats>("/stats"),
      admin<RequestSummary[]>("/requests"),
      admin<(AdminUserView & { apikey?: string })[]>("/users"),
      admin<{ now: number; virtual: boolean }>("/clock"),
    ]);
    const failures: string[] = [];
    const ok = <T>(result: PromiseSettledResult<T>, what: string): T | undefined => {
      if (result.status === "fulfilled") return result.value;
      failures.push(`${what}: ${(result.reason as Error)?.message ?? String(result.reason)}`);
      return undefined;
    };

    const perf = ok(performance, "performance");
    const workerList = ok(workers, "workers");
    const me = ok(user, "your account");
    const modelList = ok(models, "models");
    const st = ok(stats, "statistics");
    const reqs = ok(requests, "requests");
    const accounts = ok(users, "accounts");
    const now = ok(time, "clock");

    if (workerList) {
      const online = workerList.items.filter((w) => w.online).length;
      setStat("stat-workers", online);
      fill(
        byId("workers"),
        ...(workerList.length === 0
          ? [row([h("td", { colspan: 4, class: "muted" }, "No workers online.")])]
          : workerList.items.map((w) =>
              row([
                h(
                  "td",
                  {},
                  h("span", {
                    class: `dot ${w.maintenance_mode ? "dot-maintenance" : w.online ? "dot-online" : "dot-offline"}`,
                    role: "img",
                    "aria-label": w.maintenance_mode ? "in maintenance" : w.online ? "online" : "offline",
                  }),
                  w.name ?? "?",
                ),
                h("td", {}, w.type ?? "image"),
                h("td", { class: "num" }, num(w.requests_fulfilled ?? 0)),
                h("td", { class: "num" }, num(w.kudos_rewards ?? 0)),
              ]),
            )),
      );
    }
    if (perf) setStat("stat-queued", perf.queued_requests ?? 0);
    if (st) {
      setStat("stat-waiting", st.jobs.waiting);
      setStat("stat-processing", st.jobs.processing);
      setStat("stat-finished", st.jobs.finished);
      const r = st.requests;
      fill(
        byId("request-outcomes"),
        h("span", {}, h("b", {}, r.total), " requests"),
        outcome("active", r.active),
        outcome("done", r.done),
        outcome("cancelled", r.cancelled),
        outcome("faulted", r.faulted),
        outcome("expired", r.expired),
        // Unfinished = still active, or expired before anyone finished or cancelled it (a lost job).
        h(
          "span",
          {
            class: st.unfinished > r.active ? "warn" : "",
            title: "Requests never completed nor cancelled: still active, or expired unfinished",
          },
          h("b", {}, st.unfinished),
          " unfinished",
        ),
      );
    }
    if (me) setStat("stat-kudos", num(me.kudos ?? 0), me.username ?? undefined);
    if (modelList) options.onModels(modelList.items.map((m) => m.name ?? "").filter((n) => n !== ""));
    if (reqs) {
      const recent = [...reqs].sort((a, b) => b.createdAt - a.createdAt).slice(0, RECENT_REQUESTS);
      fill(
        byId("requests"),
        ...(recent.length === 0
          ? [row([h("td", { colspan: 4, class: "muted" }, "No requests yet.")])]
          : recent.map((q) =>
              row([
                h("td", {}, h("code", { title: q.id }, shortId(q.id))),
                h("td", {}, q.kind),
                h("td", {}, h("span", { class: "badge small", "data-state": q.outcome }, q.outcome)),
                h("td", { class: "num" }, progressOf(q)),
              ]),
            )),
      );
    }
    if (accounts) {
      fill(
        byId("users"),
        ...accounts.map((u) =>
          row([
            h("td", {}, u.username),
            h("td", { class: "num" }, num(u.kudos)),
            h("td", { class: "num" }, num(u.kudosConsumed)),
            h("td", { class: "num" }, num(u.kudosEarned)),
          ]),
        ),
      );
    }
    if (now) {
      byId("panel-clock").textContent = now.virtual
        ? `Virtual clock: ${new Date(now.now).toISOString()}`
        : "System clock";
    }

    const error = byId("panel-error");
    error.hidden = failures.length === 0;
    error.textContent = failures.length ? `Could not read ${failures.join("; ")}` : "";
    byId("panel-updated").textContent = `updated ${clock(Date.now())}`;
  };

  const loop = async () => {
    while (!stopped) {
      if (!document.hidden) await refresh().catch(() => {});
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  };
  void loop();
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) wake?.();
  });

  return {
    refreshSoon: () => wake?.(),
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

function setStat(id: string, value: string | number, note?: string): void {
  const dd = byId(id);
  fill(dd, String(value), note ? h("small", {}, note) : null);
}

function row(cells: HTMLTableCellElement[]): HTMLTableRowElement {
  return h("tr", {}, ...cells);
}

function outcome(name: string, value: number): HTMLSpanElement {
  return h("span", { class: `outcome outcome-${name}` }, h("b", {}, value), ` ${name}`);
}

/** "1/2": finished images (or texts, or alchemy forms) of the request. */
function progressOf(request: RequestSummary): string {
  const p = request.progress;
  const values = Object.values(p);
  if (values.length === 0) return "–";
  const done = p.finished ?? p.done ?? 0;
  const total =
    request.kind === "alchemy"
      ? values.reduce((a, b) => a + b, 0)
      : (p.waiting ?? 0) + (p.processing ?? 0) + (p.finished ?? 0);
  return `${done}/${total}`;
}
