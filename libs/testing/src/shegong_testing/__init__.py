"""What the tests of every service share: fixtures for real PostgreSQL and NATS (`fixtures`, a
pytest plugin), a service over HTTP in-process (`http`), a headless browser (`browser`),
given/when/then for deciders (`decider`) and the probe domain of the runtime's own tests
(`probe`). A development dependency only: no service imports it."""
