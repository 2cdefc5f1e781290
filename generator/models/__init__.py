"""Authoring models: the four spec documents and the parts they are built from."""

from podium.generator.models.documents import (
    DOCUMENTS,
    Competition,
    Document,
    Grader,
    Scaffold,
    Suite,
)

__all__ = ["DOCUMENTS", "Competition", "Document", "Grader", "Scaffold", "Suite"]
