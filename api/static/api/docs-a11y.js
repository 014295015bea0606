/* The API docs page (templates/api/swagger_ui.html), loaded after Swagger UI and before
   drf-spectacular's start-up script.

   With deepLinking on, Swagger UI draws each operation's path as a link inside the
   button that opens the operation: a control inside a control, which screen readers
   and keyboards cannot use (axe-core "nested-interactive"). This plugin draws the path
   as text instead. Deep links keep working: the address follows the open operation
   and opening such an address opens it (Swagger UI's deep-linking plugin does that,
   not the link).

   The close button of the "Available authorizations" dialog is an icon without a
   name; it gets one when the dialog appears. */
"use strict";

(() => {
  const swaggerUIBundle = window.SwaggerUIBundle;
  const pathAsText = () => ({
    wrapComponents: {
      DeepLink: (_Original, system) => (props) =>
        system.React.createElement("span", null, props.text),
    },
  });
  window.SwaggerUIBundle = Object.assign(
    (options) => swaggerUIBundle({ ...options, plugins: [...(options.plugins || []), pathAsText] }),
    swaggerUIBundle,
  );

  new MutationObserver(() => {
    for (const button of document.querySelectorAll(".swagger-ui .close-modal:not([aria-label])")) {
      button.setAttribute("aria-label", "Close");
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
