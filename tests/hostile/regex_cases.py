"""What the two regex-linearity suites share: the module-level patterns of a module, and the worst
time a pattern takes to search and substitute over adversarial inputs (a safety cap for
catastrophic backtracking, not a speed figure: `python -m eval bench` measures speed)."""
from __future__ import annotations

import re
import time

SAFETY_CAP_S = 2.0      # a linear pattern takes milliseconds on 100 KB; backtracking takes minutes


def module_patterns(module: object, prefix: str | None = None) -> dict[str, re.Pattern[str]]:
    """Every compiled pattern a module keeps at module level (a new rule is covered without being listed)."""
    prefix = f"{getattr(module, '__name__', '?')}." if prefix is None else prefix
    return {f"{prefix}{name}": p for name, p in vars(module).items() if isinstance(p, re.Pattern)}


def worst_seconds(pattern: re.Pattern[str], inputs: dict[str, str]) -> float:
    """The longest a search plus a substitution of the pattern takes on any of the inputs."""
    worst = 0.0
    for text in inputs.values():
        started = time.perf_counter()
        pattern.search(text)
        pattern.sub("", text)
        worst = max(worst, time.perf_counter() - started)
    return worst
