// The dashboard's OpenAPI docs, from local files: the page's CSP allows no inline script.
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
