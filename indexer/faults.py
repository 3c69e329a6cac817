"""Named moments where a process can be made to stop, so tests can kill it exactly there.

Production code only calls `reach`; with no hook installed it does nothing. A test (or the
child process of a crash test) installs a hook that, say, sends itself SIGKILL at one point.
"""

from __future__ import annotations

from collections.abc import Callable

_hooks: list[Callable[[str], None]] = []


def reach(point: str) -> None:
    for hook in _hooks:
        hook(point)


def install(hook: Callable[[str], None]) -> Callable[[], None]:
    """Call `hook` at every point reached; returns the function that removes it again."""
    _hooks.append(hook)
    return lambda: _hooks.remove(hook)
