// Starts the vendored Swagger UI on /api/v1/docs (a file of its own: the CSP allows no inline script).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({url: root.getAttribute("data-spec"), dom_id: "#swagger-ui", deepLinking: true,
                               layout: "BaseLayout", presets: [SwaggerUIBundle.presets.apis]});
})();
