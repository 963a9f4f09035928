"""The kinds of notification, declared by the features that send them."""

from __future__ import annotations

from dataclasses import dataclass

KINDS: dict[str, Kind] = {}


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # for the settings page: "A challenge is raised on your agency's action"
    email_by_default: bool = True
    # Safeguarding alerts: always emailed too; nobody may turn them off.
    required: bool = False

    def __post_init__(self):
        KINDS[self.name] = self


def kind_named(name: str) -> Kind:
    return KINDS[name]
