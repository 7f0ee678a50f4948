"""The stations service has no demo loader: it records nothing and learns the demo week from
the registry's, visits' and engagement's events, so no `shegong.demo` entry point is declared."""
