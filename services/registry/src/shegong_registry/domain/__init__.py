"""The registry's aggregates, one decider each: stations, organisations' filings, evaluations."""
