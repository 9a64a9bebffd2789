// The page's markup. Static structure lives here (fast first paint, readable without JavaScript); the
// bundle (`page/main.ts`) fills in jobs and the horde panel.

const FAVICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%234f46e5'/%3E%3Cpath d='M16 6l9 10-9 10-9-10z' fill='%23fff'/%3E%3C/svg%3E";

function layout(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
<link rel="icon" href="${FAVICON}">
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** A section's heading (`titleId` labels the section) with a muted note beside it that the bundle fills in. */
const sectionHead = (titleId: string, title: string, noteId: string) =>
  `<div class="section-head"><h2 id="${titleId}">${title}</h2><span id="${noteId}" class="muted"></span></div>`;

const stat = (id: string, label: string) =>
  `<div class="stat"><dt>${label}</dt><dd id="${id}" aria-live="off">–</dd></div>`;

export function renderPage({ version }: { version: string }): string {
  const head = `<link rel="stylesheet" href="/_ui/app.css?v=${version}">
<script type="module" src="/_ui/app.js?v=${version}"></script>`;
  const body = `<a class="skip" href="#prompt">Skip to the prompt</a>
<header class="top">
  <div class="top-inner">
    <div class="brand">
      <span class="logo" aria-hidden="true"></span>
      <div>
        <h1>horde-emulator</h1>
        <p class="tagline">A local AI Horde. This page talks to it with <code>horde-sdk</code>, in your browser.</p>
      </div>
    </div>
    <p class="endpoint"><span class="muted">API</span> <code id="api-url">/api</code></p>
  </div>
</header>
<main class="layout">
  <div class="col-main">
    <form id="generate-form" class="card form" novalidate aria-labelledby="form-title">
      <h2 id="form-title">New image request</h2>
      <div class="field">
        <label for="prompt">Prompt</label>
        <textarea id="prompt" name="prompt" rows="3" placeholder="a lighthouse at dusk, oil on canvas"></textarea>
      </div>
      <div class="row">
        <div class="field"><label for="width">Width</label><input id="width" name="width" type="number" inputmode="numeric" step="64" value="512"></div>
        <div class="field"><label for="height">Height</label><input id="height" name="height" type="number" inputmode="numeric" step="64" value="512"></div>
        <div class="field"><label for="steps">Steps</label><input id="steps" name="steps" type="number" inputmode="numeric" value="20"></div>
        <div class="field"><label for="n">Images</label><input id="n" name="n" type="number" inputmode="numeric" value="1"></div>
      </div>
      <div class="row">
        <div class="field"><label for="model">Model</label><select id="model" name="model"><option value="">Any model</option></select></div>
        <div class="field"><label for="seed">Seed <span class="muted">(optional)</span></label><input id="seed" name="seed" type="text" autocomplete="off" placeholder="random"></div>
        <div class="field"><label for="apikey">API key</label><input id="apikey" name="apikey" type="text" autocomplete="off" spellcheck="false" value="0000000000" aria-describedby="apikey-hint"><span id="apikey-hint" class="hint">0000000000 is the anonymous key</span></div>
      </div>
      <div id="form-error" class="form-error" role="alert" hidden></div>
      <div class="actions">
        <button type="submit" class="primary">Generate</button>
        <p class="hint">The SDK validates the request before anything is sent.</p>
      </div>
    </form>

    <section class="jobs-section" aria-labelledby="jobs-title">
      ${sectionHead("jobs-title", "Your requests", "jobs-count")}
      <p id="jobs-empty" class="empty">Nothing yet. Submit a prompt and watch it go through the queue.</p>
      <ol id="jobs" class="jobs"></ol>
    </section>
  </div>

  <aside class="col-side card panel" aria-labelledby="horde-title">
    ${sectionHead("horde-title", "The horde", "panel-updated")}
    <dl class="stats">
      ${stat("stat-workers", "Workers online")}
      ${stat("stat-queued", "Queued requests")}
      ${stat("stat-waiting", "Jobs waiting")}
      ${stat("stat-processing", "Jobs processing")}
      ${stat("stat-finished", "Jobs finished")}
      ${stat("stat-kudos", "Your kudos")}
    </dl>
    <p id="panel-error" class="panel-error" role="alert" hidden></p>

    <h3 id="workers-title">Workers</h3>
    <table class="table" aria-labelledby="workers-title">
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col" class="num">Done</th><th scope="col" class="num">Kudos</th></tr></thead>
      <tbody id="workers"><tr><td colspan="4" class="muted">loading…</td></tr></tbody>
    </table>

    <h3 id="requests-title">Requests</h3>
    <p id="request-outcomes" class="outcomes"></p>
    <table class="table" aria-labelledby="requests-title">
      <thead><tr><th scope="col">Id</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col" class="num">Done</th></tr></thead>
      <tbody id="requests"><tr><td colspan="4" class="muted">loading…</td></tr></tbody>
    </table>

    <h3 id="users-title">Accounts</h3>
    <table class="table" aria-labelledby="users-title">
      <thead><tr><th scope="col">User</th><th scope="col" class="num">Kudos</th><th scope="col" class="num">Spent</th><th scope="col" class="num">Earned</th></tr></thead>
      <tbody id="users"><tr><td colspan="4" class="muted">loading…</td></tr></tbody>
    </table>
    <p id="panel-clock" class="muted small"></p>
  </aside>
</main>
<noscript><p class="card">This page needs JavaScript: it runs horde-sdk in the browser.</p></noscript>`;
  return layout("horde-emulator", head, body);
}

/** Served at `/` when the bundle was never built (a source checkout without `npm run build`). */
export function renderUnbuiltPage(): string {
  return layout(
    "horde-emulator: the page is not built",
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style>",
    `<h1>The emulator's page is not built</h1>
<p>The API works (under <code>/api</code>), but the page's bundle <code>dist/ui/app.js</code> is missing.
Build it with <code>npm run build</code> (or <code>node packages/emulator/scripts/build-ui.mjs</code>) and reload.</p>`,
  );
}
