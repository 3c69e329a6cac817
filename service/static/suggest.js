// Suggestions under the search box (an ARIA combobox): units and people open their page,
// a competency fills the box and searches. Stale answers are dropped (AbortController).
"use strict";
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!form || !input || !list) return;
  const DELAY_MS = 120;
  let timer = null;
  let controller = null;
  let items = [];
  let active = -1;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function mark(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    } else {
      const option = document.getElementById("suggestion-" + index);
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function describe(item) {
    if (item.kind === "person" && item.unit_name) return item.kind_label + " · " + item.unit_name;
    if (item.kind === "competency" && item.count > 1) return item.kind_label + " · " + item.count;
    return item.kind_label;
  }

  function show(suggestions) {
    items = suggestions;
    if (!items.length) {
      close();
      return;
    }
    list.replaceChildren(
      ...items.map((item, i) => {
        const option = document.createElement("li");
        option.id = "suggestion-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.kind = item.kind;
        const text = document.createElement("span");
        text.textContent = item.text;
        const what = document.createElement("span");
        what.className = "what";
        what.textContent = describe(item);
        option.append(text, what);
        // mousedown, not click: the field keeps focus, and no blur closes the list first.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(i);
        });
        return option;
      })
    );
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    mark(-1);
  }

  function pick(index) {
    const item = items[index];
    if (!item) return;
    close();
    if (item.url) {
      window.location.assign(item.url);
    } else {
      input.value = item.text;
      form.requestSubmit();
    }
  }

  async function fetchSuggestions() {
    const query = input.value.trim();
    if (controller) controller.abort();
    if (!query) {
      close();
      return;
    }
    controller = new AbortController();
    try {
      const response = await fetch("/api/suggest?" + new URLSearchParams({ q: query, limit: "8" }), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return close();
      const body = await response.json();
      if (input.value.trim() === query) show(body.suggestions);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && input.value.trim()) {
        event.preventDefault();
        fetchSuggestions();
      }
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      mark((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      mark(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // the page's own Escape (clear the box) waits for the next press
      close();
    } else if (event.key === "Enter") {
      close(); // a plain Enter searches for what was typed
    }
  });
  input.addEventListener("blur", close);
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    if (controller) controller.abort();
    close();
  });
})();
