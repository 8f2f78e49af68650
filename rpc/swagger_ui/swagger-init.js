// Starts Swagger UI in the page's #ui element, on the document its data-spec-url names.
// A file of its own, not an inline script, so the page's Content-Security-Policy can forbid
// inline code (script-src 'self').
(function () {
  "use strict";
  var root = document.getElementById("ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#ui",
    withCredentials: true,
    persistAuthorization: true,
    validatorUrl: null, // no badge fetched from validator.swagger.io
  });
})();
