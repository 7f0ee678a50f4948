from shegong_runtime.cli import main

main()
