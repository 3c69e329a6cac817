// Pick a unit (host form) or a season's host (intern form) by typing (combobox.js, one per
// .picker). The pick's id goes in the hidden field beside it; typing again clears it. A unit's
// organisation and sector fill the fields still empty.
"use strict";
(function () {
  const SECTORS = { kommune: "kommune", region: "region", stat: "stat" };

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

  function setUp(box) {
    const source = sources[box.dataset.picker];
    const input = box.querySelector("[role=combobox]");
    const hidden = box.querySelector("[data-picker-id]");
    const list = box.querySelector("[role=listbox]");
    if (!source || !input || !hidden || !list || input.readOnly) return;
    window.tvaersCombobox(input, list, {
      idPrefix: list.id + "-",
      url: source.url,
      items: source.items,
      typed: () => {
        hidden.value = "";
      },
      pick: (item) => {
        input.value = item.text;
        hidden.value = item.id;
        source.picked(item.id);
      },
    });
  }

  if (window.tvaersCombobox) document.querySelectorAll(".picker").forEach(setUp);
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
