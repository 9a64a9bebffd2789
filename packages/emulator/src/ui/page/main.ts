// The emulator's page: horde-sdk running in the browser against the emulator it was served by. Submit a
// prompt, watch every request go through the queue, see the pictures, cancel; the panel shows the horde.
import { AIHordeAPIClient, HordeValidationError } from "horde-sdk";
import { byId } from "./dom.js";
import { clearFormError, type FormRequest, readForm, setModels, showFormError } from "./form.js";
import { JobCard } from "./jobs.js";
import { startPanel } from "./panel.js";

const CLIENT_AGENT = "horde-emulator-ui:0.1.0:local";
const baseUrl = `${location.origin}/api`;
const TOKEN_KEY = "horde-emulator-admin-token";

/** One client per API key: the SDK keeps rate-limit buckets per client, and the key is the client's. */
const clients = new Map<string, AIHordeAPIClient>();
function clientFor(apikey: string): AIHordeAPIClient {
  let client = clients.get(apikey);
  if (!client) {
    client = new AIHordeAPIClient({ baseUrl, apiKey: apikey, clientAgent: CLIENT_AGENT });
    clients.set(apikey, client);
  }
  return client;
}

const cards = new Set<JobCard>();
const jobsList = byId<HTMLOListElement>("jobs");

function updateJobsHeading(): void {
  byId("jobs-empty").hidden = cards.size > 0;
  const running = [...cards].filter((c) => !["finished", "cancelled", "failed"].includes(c.state)).length;
  byId("jobs-count").textContent = cards.size ? `${running} running · ${cards.size} in all` : "";
}

/**
 * The admin token from the address `horde serve` printed (`/?token=…`): kept for this tab, and taken out of
 * the address bar so it does not end up in a bookmark or a screenshot.
 */
function adminToken(): string | null {
  const url = new URL(location.href);
  const given = url.searchParams.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    url.searchParams.delete("token");
    history.replaceState(null, "", url);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const panel = startPanel({
  client: new AIHordeAPIClient({ baseUrl, clientAgent: CLIENT_AGENT }),
  adminUrl: `${location.origin}/_emulator`,
  adminToken: adminToken(),
  apikey: () => byId<HTMLInputElement>("apikey").value.trim() || "0000000000",
  onModels: setModels,
});

function submit(form: FormRequest): void {
  const card = new JobCard(clientFor(form.apikey), form);
  cards.add(card);
  card.onRemove = () => {
    cards.delete(card);
    updateJobsHeading();
  };
  jobsList.prepend(card.element);
  updateJobsHeading();
  panel.refreshSoon();
  void card.run().finally(() => {
    updateJobsHeading();
    panel.refreshSoon();
  });
}

byId("api-url").textContent = baseUrl;
byId<HTMLFormElement>("generate-form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearFormError();
  let form: FormRequest;
  try {
    form = readForm();
  } catch (error) {
    // HordeValidationError: nothing was sent. Anything else is a bug worth seeing too.
    showFormError(error instanceof HordeValidationError ? error : new Error(String(error)));
    return;
  }
  submit(form);
});
// Editing a field clears its error mark.
byId("generate-form").addEventListener("input", (event) => {
  const target = event.target as HTMLElement;
  if (target.getAttribute("aria-invalid") === "true") target.removeAttribute("aria-invalid");
});
updateJobsHeading();
