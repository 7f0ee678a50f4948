"""Server-rendered HTML: inline CSS, no scripts, readable on a phone."""
