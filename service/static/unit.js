// "Kun andre organisationer": the similar units follow the switch without a reload.
"use strict";
(function () {
  const form = document.getElementById("similar-form");
  const box = document.getElementById("other");
  const list = document.getElementById("similar");
  const status = document.getElementById("similar-status");
  if (!form || !box) return;

  box.addEventListener("change", async () => {
    const unit = form.dataset.unit;
    const other = box.checked;
    const url = "/api/units/" + encodeURIComponent(unit) + "/similar?limit=6&other_organisations=" + other;
    status.textContent = "Henter lignende enheder …";
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) {
        status.textContent = body.detail || "Kunne ikke hente lignende enheder.";
        return;
      }
      list.replaceChildren(...body.hits.map((hit) => window.tvaersCards.card(hit, "h3")));
      status.textContent = body.hits.length
        ? body.hits.length + " lignende enheder" + (other ? " i andre organisationer." : ".")
        : "Ingen lignende enheder" + (other ? " i andre organisationer." : ".");
      history.replaceState(null, "", other ? "?andre=1" : location.pathname);
    } catch (error) {
      status.textContent = "Kunne ikke hente lignende enheder. Prøv igen.";
    }
  });
})();
