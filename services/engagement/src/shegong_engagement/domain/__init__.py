"""Pure domain code: aggregates fold events into state, decide functions refuse or emit events."""
