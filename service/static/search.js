// Results follow the typing (debounced), filters apply at once, the URL stays shareable.
"use strict";
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const status = document.getElementById("status");
  const corrections = document.getElementById("corrections");
  const list = document.getElementById("results");
  const DELAY_MS = 250;
  let timer = null;
  let controller = null;

  function params() {
    const data = new FormData(form);
    const out = new URLSearchParams();
    for (const [key, value] of data.entries()) {
      if (typeof value === "string" && value.trim()) out.set(key, value);
    }
    return out;
  }

  function show(results, query) {
    list.replaceChildren(...results.hits.map((hit) => window.tvaersCards.card(hit)));
    if (results.total === 0) {
      status.textContent = "Ingen resultater for »" + query + "«. Prøv andre ord, eller fjern et filter.";
    } else {
      const noun = results.total === 1 ? "resultat" : "resultater";
      status.textContent = results.total + " " + noun + " for »" + query + "« (" + Math.round(results.took_ms) + " ms)";
    }
    const read = Object.entries(results.corrections || {});
    corrections.hidden = read.length === 0;
    corrections.textContent = read.length ? "Læst som: " + read.map(([a, b]) => a + " → " + b).join(", ") : "";
  }

  async function run() {
    const query = input.value.trim();
    const search = params();
    history.replaceState(null, "", search.toString() ? "/?" + search.toString() : "/");
    if (!query) {
      if (controller) controller.abort();
      list.replaceChildren();
      corrections.hidden = true;
      status.textContent = "Skriv et par ord for at søge.";
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    search.set("limit", "20");
    status.textContent = "Søger …";
    try {
      const response = await fetch("/api/search?" + search.toString(), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (!response.ok) {
        list.replaceChildren();
        status.textContent = body.detail || "Søgningen mislykkedes. Prøv igen.";
        return;
      }
      show(body, body.query || query);
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = "Søgningen mislykkedes. Tjek forbindelsen, og prøv igen.";
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(run, DELAY_MS);
  }

  input.addEventListener("input", later);
  form.addEventListener("change", (event) => {
    if (event.target !== input) run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape" && document.activeElement === input && input.value) {
      input.value = "";
      run();
    }
  });
})();
