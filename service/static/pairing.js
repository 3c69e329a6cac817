// Tells the coordinator the proposal is on its way (it can take a little while).
"use strict";
(function () {
  const form = document.getElementById("pairing-form");
  const button = document.getElementById("pairing-submit");
  if (!form || !button) return;
  form.addEventListener("submit", () => {
    button.disabled = true;
    button.textContent = "Laver forslaget …";
    form.setAttribute("aria-busy", "true");
  });
})();
