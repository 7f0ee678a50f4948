"""Registry service (登记): stations, community social organisations, station evaluations."""
