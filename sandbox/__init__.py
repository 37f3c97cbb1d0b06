"""A stand-alone fake Pipedrive for the demo, tests and benchmarks.

Stdlib only at run time (no Django). See ``sandbox/README.md``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SandboxConfig", "SandboxServer"]


def __getattr__(name: str) -> Any:
    # Lazy, so ``python -m sandbox.generator`` does not import the server first.
    if name == "SandboxConfig":
        from sandbox.config import SandboxConfig

        return SandboxConfig
    if name == "SandboxServer":
        from sandbox.server import SandboxServer

        return SandboxServer
    raise AttributeError(name)
