"""`python -m api serve [--host H] [--port 7870] [--workers N]`: the HTTP API alone (api/serve.py)."""
from __future__ import annotations

import sys

from api.serve import main

if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv[:1] != ["serve"]:
        print("usage: python -m api serve [--host H] [--port P] [--workers N]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(argv[1:]))
