// Starts Swagger UI for /docs from a file, since the page's CSP allows no inline script.
// The bundled Swagger UI (4.x) reads OpenAPI 3.0 only; FastAPI's schema says 3.1, which it
// refuses outright, though it renders the rest of our schema well. So the page hands it a copy
// labelled 3.0; /openapi.json itself stays as it is for machine clients.
window.addEventListener("DOMContentLoaded", async () => {
  const response = await fetch("/openapi.json");
  const spec = await response.json();
  spec.openapi = "3.0.3";
  window.ui = SwaggerUIBundle({
    spec,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
