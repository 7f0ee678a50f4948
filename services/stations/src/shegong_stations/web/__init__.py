"""Server-rendered HTML from Jinja2 templates (`templates/`), escaped by default: the dashboard's
pages, the roundup's article and the charts' SVG. One stylesheet (`static/dashboard.css`),
with a print section for A4; no scripts."""
