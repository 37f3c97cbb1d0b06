"""The CRMs Staircase can connect to. Each provider describes itself for the Integrations page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    summary: str
    logo: str


PROVIDERS: dict[str, Provider] = {
    "pipedrive": Provider(
        key="pipedrive",
        name="Pipedrive",
        summary="Pull the organizations you mark as customers, with their contacts, and push engagement and "
        "sentiment scores back into Pipedrive fields.",
        logo="img/pipedrive.svg",
    ),
}
