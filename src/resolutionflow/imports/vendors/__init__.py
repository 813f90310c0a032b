"""One module per PSA vendor: its documented REST shapes mapped to our tickets."""

from __future__ import annotations

from types import ModuleType

from resolutionflow.imports.vendors import autotask, connectwise, halopsa

VENDORS: dict[str, ModuleType] = {
    "connectwise": connectwise,
    "autotask": autotask,
    "halopsa": halopsa,
}


def vendor_module(name: str) -> ModuleType:
    try:
        return VENDORS[name]
    except KeyError:
        raise ValueError(
            f"unknown vendor '{name}' (one of: {', '.join(sorted(VENDORS))})"
        ) from None
