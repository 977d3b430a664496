import sys

from planner.cli import main

if sys.argv[1:2] == ["export"]:  # the command that draws charts: set here, as `main` also runs in-process in tests
    from planner.formats.fonts import use_fonts_in_memory

    use_fonts_in_memory()
sys.exit(main())
