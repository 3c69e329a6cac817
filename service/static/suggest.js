// Suggestions under the search box (combobox.js): units and people open their page, a
// competency fills the box and searches.
"use strict";
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!form || !input || !list || !window.tvaersCombobox) return;

  function describe(item) {
    if (item.kind === "person" && item.unit_name) return item.kind_label + " · " + item.unit_name;
    if (item.kind === "competency" && item.count > 1) return item.kind_label + " · " + item.count;
    return item.kind_label;
  }

  const box = window.tvaersCombobox(input, list, {
    idPrefix: "suggestion-",
    url: (q) => "/api/suggest?" + new URLSearchParams({ q: q, limit: "8" }),
    items: (body) =>
      body.suggestions.map((s) => ({ text: s.text, what: describe(s), kind: s.kind, found: s })),
    pick: (item) => {
      if (item.found.url) {
        window.location.assign(item.found.url);
      } else {
        input.value = item.text;
        form.requestSubmit();
      }
    },
  });
  form.addEventListener("submit", () => box.cancel());
})();
