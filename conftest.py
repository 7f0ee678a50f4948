pytest_plugins = ["shegong_runtime.testing"]
