"""`python -m assistant` is the `shopassist` command."""

from assistant.cli import main

main()
