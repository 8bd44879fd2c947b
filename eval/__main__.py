"""`python -m eval run --gold FILE …` / `python -m eval bench …` (see eval/cli.py)."""
import sys

from eval.cli import main

sys.exit(main())
