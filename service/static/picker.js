// Pick a unit (host form) or a season's host (intern form) by typing: an ARIA combobox per
// .picker. The pick's id goes in the hidden field beside it; typing again clears it. A unit's
// organisation and sector fill the empty fields. Stale answers are dropped (AbortController).
"use strict";
(function () {
  const DELAY_MS = 120;
  const SECTORS = { kommune: "kommune", region: "region", stat: "stat" };

  const sources = {
    units: {
      url: (q) => "/api/suggest?" + new URLSearchParams({ q: q, limit: "12" }),
      items: (body) =>
        body.suggestions
          .filter((s) => s.kind === "unit" && s.id)
          .slice(0, 8)
          .map((s) => ({ id: s.id, text: s.text, what: "Enhed i tvaers" })),
      picked: fillFromUnit,
    },
    hosts: {
      url: (q) => "/api/registration/hosts?" + new URLSearchParams({ q: q, limit: "8" }),
      items: (body) =>
        body.data.map((h) => ({
          id: h.id,
          text: h.unit_name + " (" + h.organisation + ")",
          what: (SECTORS[h.sector] || h.sector) + " · " + days(h.durations),
        })),
      picked: () => {},
    },
  };

  function days(list) {
    if (!list.length) return "";
    return list.join(", ") + (list.length === 1 && list[0] === 1 ? " dag" : " dage");
  }

  async function fillFromUnit(id) {
    const response = await fetch("/api/units/" + encodeURIComponent(id), {
      headers: { Accept: "application/json" },
    });
    if (!response.ok) return;
    const unit = await response.json();
    const organisation = document.getElementById("f-organisation");
    const sector = document.getElementById("f-sector");
    if (organisation && !organisation.value.trim() && unit.organisation) {
      organisation.value = unit.organisation;
    }
    if (sector && !sector.value && SECTORS[unit.sector]) sector.value = unit.sector;
  }

  function setUp(box) {
    const source = sources[box.dataset.picker];
    const input = box.querySelector("[role=combobox]");
    const hidden = box.querySelector("[data-picker-id]");
    const list = box.querySelector("[role=listbox]");
    if (!source || !input || !hidden || !list || input.readOnly) return;
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
        const option = document.getElementById(list.id + "-" + index);
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }

    function show(found) {
      items = found;
      if (!items.length) return close();
      list.replaceChildren(
        ...items.map((item, i) => {
          const option = document.createElement("li");
          option.id = list.id + "-" + i;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.id = item.id;
          const text = document.createElement("span");
          text.textContent = item.text;
          const what = document.createElement("span");
          what.className = "what";
          what.textContent = item.what;
          option.append(text, what);
          option.addEventListener("mousedown", (event) => {
            event.preventDefault(); // the field keeps focus: no blur closes the list first
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
      input.value = item.text;
      hidden.value = item.id;
      box.dataset.picked = item.id;
      source.picked(item.id);
    }

    async function lookUp() {
      const query = input.value.trim();
      if (controller) controller.abort();
      if (!query) return close();
      controller = new AbortController();
      try {
        const response = await fetch(source.url(query), {
          signal: controller.signal,
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return close(); // no list: what is typed is sent as it is
        const body = await response.json();
        if (input.value.trim() === query) show(source.items(body));
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    input.addEventListener("input", () => {
      hidden.value = "";
      delete box.dataset.picked;
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
        event.preventDefault(); // picks; does not send the form
        pick(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll(".picker").forEach(setUp);
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
