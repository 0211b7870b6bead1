/* datagen studio: the generator service's web page, in plain JavaScript.
 *
 * Everything the server or a user sends (event values, error messages, ids) is
 * untrusted: it reaches the page through textContent only, never innerHTML.
 * API paths are relative, so the page also works behind a path prefix.
 */
"use strict";

(function () {
  const TOKEN_KEY = "datagen.token";
  const REFRESH_MS = 1000;
  const PREVIEW_DELAY_MS = 400;
  const PREVIEW_COUNT = 5;

  const $ = (id) => document.getElementById(id);
  const ui = {
    auth: $("auth"), token: $("token"), authError: $("auth-error"),
    studio: $("studio"), version: $("version"),
    form: $("add-form"), source: $("source"), provider: $("provider"),
    providerField: $("provider-field"), providerDescription: $("provider-description"),
    templateField: $("template-field"), templateLabel: $("template-label"),
    template: $("template"), destination: $("destination"),
    topicField: $("topic-field"), topicLabel: $("topic-label"), topic: $("topic"),
    topicNames: $("topic-names"),
    count: $("count"), interval: $("interval"), seed: $("seed"), add: $("add"),
    formError: $("form-error"),
    preview: $("preview"), previewStatus: $("preview-status"),
    previewError: $("preview-error"),
    rows: document.querySelector("#generators tbody"),
    generatorsError: $("generators-error"), generatorsEmpty: $("generators-empty"),
  };

  let config = null;
  let refreshTimer = null;
  let refreshRound = 0;
  let previewTimer = null;
  let previewSeq = 0;
  let previewAbort = null;
  // The text each source mode holds, so switching modes does not lose a template.
  const drafts = { template: "", declaration: "" };
  let mode = ui.source.value;

  /** An API failure: the server's one-line error, and the HTTP status (0: no answer). */
  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // --- talking to the server ---

  async function api(method, path, body, signal) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers, signal, cache: "no-store",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError("the server does not answer", 0);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.status === 401) {
      askForToken(token ? "The server refused this token; enter it again." : "");
    }
    if (!response.ok) {
      const message = data && typeof data.error === "string"
        ? data.error
        : "HTTP " + response.status + " " + response.statusText;
      throw new ApiError(oneLine(message), response.status);
    }
    return data;
  }

  function oneLine(text) {
    return String(text).replace(/\s+/g, " ").trim();
  }

  // --- the token ---

  function askForToken(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (!ui.auth.hidden) {
      // Already asking (several requests were refused at once): keep what the
      // user is typing, and the first refusal's message.
      if (message) ui.authError.textContent = message;
      return;
    }
    stopRefreshing();
    ui.authError.textContent = message || "";
    ui.auth.hidden = false;
    ui.studio.inert = true; // no clicks, focus or screen reader until a token is given
    ui.studio.classList.add("locked");
    ui.token.value = "";
    ui.token.focus();
  }

  ui.auth.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = ui.token.value.trim();
    if (!token) {
      ui.authError.textContent = "Enter the token the server was started with.";
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    ui.auth.hidden = true;
    ui.studio.inert = false;
    ui.studio.classList.remove("locked");
    start();
  });

  // --- start-up: the server's configuration fills the form ---

  async function start() {
    try {
      config = await api("GET", "config");
    } catch (error) {
      if (error.status !== 401) showFormError("Cannot load the configuration: " + error.message);
      return;
    }
    if (config.auth && !sessionStorage.getItem(TOKEN_KEY)) {
      askForToken("");
      return;
    }
    ui.version.textContent = config.version ? "datagen " + config.version : "";
    fillProviders(config.providers || []);
    fillDestinations(config.destinations || []);
    showSourceMode();
    showDestination();
    refresh();
    schedulePreview(0);
  }

  function fillProviders(providers) {
    const current = ui.provider.value;
    ui.provider.replaceChildren();
    for (const provider of providers) {
      const option = document.createElement("option");
      option.value = provider.name;
      option.textContent = provider.name;
      option.dataset.description = provider.description || "";
      ui.provider.append(option);
    }
    if (current) ui.provider.value = current;
    showProviderDescription();
  }

  function fillDestinations(destinations) {
    const current = ui.destination.value;
    ui.destination.replaceChildren();
    for (const destination of destinations) {
      const option = document.createElement("option");
      option.value = destination.type;
      option.textContent = destination.type;
      option.dataset.needs = destination.needs || "";
      // A `sink` destination lists the names the server knows.
      option.dataset.names = JSON.stringify(destination.names || []);
      ui.destination.append(option);
    }
    if (current) ui.destination.value = current;
  }

  function showProviderDescription() {
    const option = ui.provider.selectedOptions[0];
    ui.providerDescription.textContent = option ? option.dataset.description : "";
  }

  function showSourceMode() {
    if (mode !== "provider") drafts[mode] = ui.template.value;
    mode = ui.source.value;
    const text = mode !== "provider";
    ui.providerField.hidden = text;
    ui.templateField.hidden = !text;
    if (text) {
      ui.template.value = drafts[mode];
      ui.templateLabel.textContent = mode === "template" ? "Jsonnet template" : "YAML declaration";
    }
  }

  function destinationNeeds() {
    const option = ui.destination.selectedOptions[0];
    return option ? option.dataset.needs : "";
  }

  function showDestination() {
    const needs = destinationNeeds();
    ui.topicField.hidden = !needs;
    ui.topicLabel.textContent = needs ? needs[0].toUpperCase() + needs.slice(1) : "Topic";
    const option = ui.destination.selectedOptions[0];
    ui.topicNames.replaceChildren();
    for (const name of option ? JSON.parse(option.dataset.names) : []) {
      const choice = document.createElement("option");
      choice.value = name;
      ui.topicNames.append(choice);
    }
  }

  // --- the source of events, shared by the preview and the form ---

  /** {provider: name} | {template: text} | {declaration: text}, or null when empty. */
  function source() {
    if (mode === "provider") return ui.provider.value ? { provider: ui.provider.value } : null;
    const text = ui.template.value;
    if (!text.trim()) return null;
    return mode === "template" ? { template: text } : { declaration: text };
  }

  function seed() {
    const text = ui.seed.value.trim();
    return text === "" ? undefined : Number(text);
  }

  // --- the preview pane ---

  function schedulePreview(delay) {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(runPreview, delay === undefined ? PREVIEW_DELAY_MS : delay);
  }

  async function runPreview() {
    const seq = ++previewSeq;
    if (previewAbort) previewAbort.abort();
    const body = source();
    if (!body) {
      showPreview(null, "", mode === "provider" ? "Pick a provider." : "Write a template to see sample events.");
      return;
    }
    body.count = PREVIEW_COUNT;
    if (seed() !== undefined) body.seed = seed();
    previewAbort = new AbortController();
    ui.previewStatus.textContent = "Generating…";
    ui.preview.classList.add("stale");
    try {
      const data = await api("POST", "preview", body, previewAbort.signal);
      if (seq !== previewSeq) return;
      const events = data.events || [];
      showPreview(events, "", events.length + " sample event" + (events.length === 1 ? "" : "s"));
    } catch (error) {
      if (error.name === "AbortError" || seq !== previewSeq) return;
      showPreview(null, error.message, "");
    }
  }

  function showPreview(events, error, status) {
    ui.preview.classList.remove("stale");
    ui.preview.textContent = events ? JSON.stringify(events, null, 2) : "";
    ui.preview.hidden = !events;
    ui.previewError.textContent = error;
    ui.previewStatus.textContent = status;
  }

  // --- the form ---

  function showFormError(message) {
    ui.formError.textContent = message;
  }

  /** The Eventer body for one generator, or a one-line problem with the form. */
  function addBody() {
    const event = source();
    if (!event) {
      return mode === "provider" ? "Source: pick a provider." : "Template: write a template.";
    }
    const countText = ui.count.value.trim();
    const count = Number(countText);
    if (countText === "" || !Number.isInteger(count) || count < 0) {
      return "Count: a whole number, 0 or more (0: until stopped).";
    }
    const interval = ui.interval.value.trim();
    if (!interval) return "Interval: e.g. 1s, 50ms or 2m.";
    if (ui.seed.value.trim() !== "" && !Number.isInteger(seed())) return "Seed: a whole number.";
    const type = ui.destination.value;
    if (!type) return "Destination: pick one.";
    const destination = { id: "d1", type };
    const needs = destinationNeeds();
    if (needs) {
      const name = ui.topic.value.trim();
      if (!name) return ui.topicLabel.textContent + ": required for " + type + ".";
      destination[type] = { [needs]: name };
    }
    Object.assign(event, { id: "e1", dataset: "studio", count, interval });
    if (seed() !== undefined) event.seed = seed();
    return {
      destinations: [destination],
      events: [event],
      schedules: [{ destination_id: "d1", event_id: "e1" }],
    };
  }

  ui.form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const body = addBody();
    if (typeof body === "string") {
      showFormError(body);
      return;
    }
    showFormError("");
    ui.add.disabled = true;
    try {
      await api("POST", "generator/add", body);
      await refresh();
    } catch (error) {
      showFormError(error.message);
    } finally {
      ui.add.disabled = false;
    }
  });

  ui.source.addEventListener("change", () => {
    showSourceMode();
    schedulePreview(0);
  });
  ui.provider.addEventListener("change", () => {
    showProviderDescription();
    schedulePreview(0);
  });
  ui.template.addEventListener("input", () => schedulePreview());
  ui.seed.addEventListener("input", () => schedulePreview());
  ui.destination.addEventListener("change", showDestination);

  // --- the generator table, refreshed every second ---

  const COLUMNS = ["id", "source", "destination", "count", "sent", "acknowledged",
    "failed", "last-error", "active"];

  /** Cancels the next refresh, and the answer of one under way. */
  function stopRefreshing() {
    clearTimeout(refreshTimer);
    refreshTimer = null;
    refreshRound += 1;
  }

  /** Shows the generators now, then every REFRESH_MS; one loop at a time:
   * a refresh started meanwhile (after an add or a stop) takes over. */
  async function refresh() {
    stopRefreshing();
    const round = refreshRound;
    let data = null;
    let problem = "";
    try {
      data = await api("GET", "generators");
    } catch (error) {
      if (error.status === 401) return;
      problem = "Cannot refresh: " + error.message;
    }
    if (round !== refreshRound) return;
    if (data) showGenerators(data.generators || []);
    ui.generatorsError.textContent = problem;
    if (ui.auth.hidden) refreshTimer = setTimeout(refresh, REFRESH_MS);
  }

  function showGenerators(generators) {
    const seen = new Set();
    for (const status of generators) {
      const id = String(status.id);
      seen.add(id);
      const row = findRow(id) || newRow(id);
      fillRow(row, status);
    }
    for (const row of Array.from(ui.rows.rows)) {
      if (!seen.has(row.dataset.id)) row.remove();
    }
    ui.generatorsEmpty.hidden = ui.rows.rows.length > 0;
  }

  function findRow(id) {
    return Array.from(ui.rows.rows).find((row) => row.dataset.id === id) || null;
  }

  function newRow(id) {
    const row = document.createElement("tr");
    row.dataset.id = id;
    for (const column of COLUMNS) {
      const cell = document.createElement("td");
      cell.className = column;
      row.append(cell);
    }
    const actions = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "stop";
    button.textContent = "Stop";
    button.setAttribute("aria-label", "Stop generator " + id);
    button.addEventListener("click", () => stopGenerator(id, button));
    actions.append(button);
    row.append(actions);
    ui.rows.append(row);
    return row;
  }

  function fillRow(row, status) {
    const until = typeof status.total === "number" && status.total <= 0;
    const values = {
      id: status.id,
      source: status.source,
      destination: status.destination,
      count: until ? "until stopped" : status.count,
      sent: status.sent,
      acknowledged: status.acknowledged,
      failed: status.failed,
      "last-error": status.last_error || "",
      active: status.active ? "yes" : "no",
    };
    for (const column of COLUMNS) {
      const cell = row.querySelector("td." + column);
      const text = values[column] === undefined || values[column] === null ? "" : String(values[column]);
      if (cell.textContent !== text) cell.textContent = text;
    }
    row.querySelector("td.last-error").title = status.last_error || "";
    row.classList.toggle("inactive", !status.active);
    const button = row.querySelector("button.stop");
    if (!button.dataset.busy) button.textContent = status.active ? "Stop" : "Remove";
  }

  async function stopGenerator(id, button) {
    button.disabled = true;
    button.dataset.busy = "1";
    try {
      await api("POST", "generator/remove?id=" + encodeURIComponent(id));
      ui.generatorsError.textContent = "";
    } catch (error) {
      ui.generatorsError.textContent = "Cannot stop " + id + ": " + error.message;
    } finally {
      button.disabled = false;
      delete button.dataset.busy;
    }
    await refresh();
  }

  start();
})();
