// Starts Swagger UI on /docs; a separate file because the CSP allows no inline script.
// No deep links: they put a link inside each operation's toggle button, a control inside a control for the keyboard.
window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: false });

// What Swagger UI draws without a name or keyboard access gets one as it appears: the request body's text box is
// named, and the example and response boxes that scroll take focus so the keyboard can scroll them.
new MutationObserver(() => {
  document.querySelectorAll("#swagger-ui textarea:not([aria-label])").forEach((box) => {
    box.setAttribute("aria-label", box.classList.contains("body-param__text") ? "Request body" : "Value");
  });
  document.querySelectorAll("#swagger-ui .highlight-code > pre:not([tabindex])").forEach((pre) => {
    pre.tabIndex = 0;
  });
}).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
