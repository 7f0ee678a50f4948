"""Pure rules of notifying: matching, timing, templates, retry schedule; no database."""
