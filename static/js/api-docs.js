// Starts Swagger UI on /docs; a separate file because the CSP allows no inline script.
window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
