// One ARIA combobox: suggestions under a text box as one types, picked with the arrow keys and
// Enter, or with the mouse. Stale answers are dropped (AbortController). suggest.js (the search
// box) and picker.js (the registration forms) each describe their source and what a pick does.
"use strict";
window.tvaersCombobox = function (input, list, source) {
  // source: idPrefix, url(query), items(body) -> [{text, what, kind?}], pick(item), typed()?
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
      const option = document.getElementById(source.idPrefix + index);
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function show(found) {
    items = found;
    if (!items.length) {
      close();
      return;
    }
    list.replaceChildren(
      ...items.map((item, i) => {
        const option = document.createElement("li");
        option.id = source.idPrefix + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        if (item.kind) option.dataset.kind = item.kind;
        const text = document.createElement("span");
        text.textContent = item.text;
        const what = document.createElement("span");
        what.className = "what";
        what.textContent = item.what;
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
    source.pick(item);
  }

  async function lookUp() {
    const query = input.value.trim();
    if (controller) controller.abort();
    if (!query) {
      close();
      return;
    }
    controller = new AbortController();
    try {
      const response = await fetch(source.url(query), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return close(); // no list: what is typed stands as it is
      const body = await response.json();
      if (input.value.trim() === query) show(source.items(body));
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => {
    if (source.typed) source.typed();
    clearTimeout(timer);
    timer = setTimeout(lookUp, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && input.value.trim()) {
        event.preventDefault();
        lookUp();
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
      event.stopPropagation(); // the page's own Escape waits for the next press
      close();
    } else if (event.key === "Enter") {
      close(); // a plain Enter sends the form with what was typed
    }
  });
  input.addEventListener("blur", close);

  return {
    cancel() {
      clearTimeout(timer);
      if (controller) controller.abort();
      close();
    },
  };
};
