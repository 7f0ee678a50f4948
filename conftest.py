from shegong_runtime.embedded import ensure_runtime_dir

ensure_runtime_dir()  # before any plugin imports platformdirs' runtime folder lookup

pytest_plugins = ["shegong_testing.fixtures"]
