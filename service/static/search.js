// Results follow the typing (debounced), filters apply at once, the URL stays shareable.
// Searches while typing are not counted as asked (counted=false); the query counts once when
// the typing rests (SETTLE_MS), on Enter, or when a result is opened before that (search gaps).
"use strict";
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const status = document.getElementById("status");
  const corrections = document.getElementById("corrections");
  const list = document.getElementById("results");
  const DELAY_MS = 250;
  const SETTLE_MS = 2000;
  let timer = null;
  let settleTimer = null;
  let controller = null;
  let lastCounted = input.value.trim().toLowerCase(); // the page itself counted this one

  function params() {
    const data = new FormData(form);
    const out = new URLSearchParams();
    for (const [key, value] of data.entries()) {
      if (typeof value === "string" && value.trim()) out.set(key, value);
    }
    return out;
  }

  // Each filter value shows how many results this query has with it (and the other filters).
  function showCounts(counts, atLeast) {
    const more = atLeast ? "+" : "";
    for (const facet of ["kind", "sector", "organisation", "area"]) {
      const select = document.getElementById(facet);
      if (!select) continue;
      for (const option of select.options) {
        if (!option.value || !option.dataset.label) continue;
        const n = counts ? counts[facet][option.value] : undefined;
        option.textContent = n === undefined ? option.dataset.label : option.dataset.label + " (" + n + more + ")";
      }
    }
  }

  function show(results, query) {
    showCounts(results.facet_counts, results.facet_counts && results.facet_counts.relation === "gte");
    list.replaceChildren(...results.hits.map((hit) => window.tvaersCards.card(hit)));
    if (results.nothing_fits) {
      status.textContent = "Ingen gode træf for »" + query + "«: intet i tvaers handler om det. Prøv andre ord.";
    } else if (results.total === 0) {
      status.textContent = "Ingen resultater for »" + query + "«. Prøv andre ord, eller fjern et filter.";
    } else {
      const noun = results.total === 1 ? "resultat" : "resultater";
      const atLeast = results.total_relation === "gte" ? "mindst " : "";
      status.textContent = atLeast + results.total + " " + noun + " for »" + query + "« (" + Math.round(results.took_ms) + " ms)";
    }
    const read = Object.entries(results.corrections || {});
    corrections.hidden = read.length === 0;
    corrections.textContent = read.length ? "Læst som: " + read.map(([a, b]) => a + " → " + b).join(", ") : "";
  }

  function countAsked() {
    clearTimeout(settleTimer);
    settleTimer = null;
    const query = input.value.trim();
    if (!query || query.toLowerCase() === lastCounted) return;
    lastCounted = query.toLowerCase();
    const search = params();
    search.set("limit", "1");
    search.set("counted", "true");
    fetch("/api/search?" + search.toString(), { keepalive: true, headers: { Accept: "application/json" } }).catch(() => {});
  }

  async function run(counted) {
    const query = input.value.trim();
    const search = params();
    history.replaceState(null, "", search.toString() ? "/?" + search.toString() : "/");
    if (!query) {
      if (controller) controller.abort();
      list.replaceChildren();
      corrections.hidden = true;
      status.textContent = "Skriv et par ord for at søge.";
      showCounts(null);
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    search.set("limit", "20");
    counted = counted && query.toLowerCase() !== lastCounted; // once per question on this page
    search.set("counted", counted ? "true" : "false");
    if (counted) {
      clearTimeout(settleTimer);
      settleTimer = null;
      lastCounted = query.toLowerCase();
    }
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
    timer = setTimeout(() => run(false), DELAY_MS);
    clearTimeout(settleTimer);
    settleTimer = setTimeout(countAsked, SETTLE_MS);
  }

  input.addEventListener("input", later);
  form.addEventListener("change", (event) => {
    if (event.target !== input) run(false); // the same question, narrowed: not asked again
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run(true);
  });
  list.addEventListener("click", (event) => {
    if (settleTimer && event.target.closest("a")) countAsked(); // opened before the rest
  });
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
    } else if (event.key === "Escape" && document.activeElement === input && input.value) {
      input.value = "";
      clearTimeout(settleTimer);
      settleTimer = null;
      run(false);
    }
  });
})();
