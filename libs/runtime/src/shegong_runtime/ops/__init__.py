"""Tools for operators and integrators: replay, status, dead letters, projections, contracts."""
