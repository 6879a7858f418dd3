// The API reference page: Swagger UI (vendored) over the OpenAPI description.
window.addEventListener("load", function () {
  SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
