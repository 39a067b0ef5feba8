"""The error types the services raise; the API and the CLI translate them for users."""

from __future__ import annotations

from dataclasses import dataclass


class PraktijkbankError(Exception):
    """Base class of every error a service raises on purpose."""


class PracticeNotFound(PraktijkbankError):
    """No practice has the requested id."""

    def __init__(self, practice_id: str) -> None:
        super().__init__(f"Geen praktijk met id '{practice_id}'.")
        self.practice_id = practice_id


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one field of one record."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidRecord(PraktijkbankError):
    """A record does not satisfy the practice model."""

    def __init__(self, issues: list[FieldIssue], *, source: str = "", locator: str = "") -> None:
        self.issues = issues
        self.source = source
        self.locator = locator
        where = ", ".join(p for p in (source, locator) if p)
        details = "; ".join(str(i) for i in issues)
        super().__init__(f"{where}: {details}" if where else details)


class InvalidInput(PraktijkbankError):
    """A parameter given by a user is not acceptable."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class DuplicatePractice(PraktijkbankError):
    """A practice with this id exists already."""

    def __init__(self, practice_id: str) -> None:
        super().__init__(f"Er bestaat al een praktijk met id '{practice_id}'.")
        self.practice_id = practice_id


class NotADraft(PraktijkbankError):
    """Publishing or rejecting a practice that is not a draft."""

    def __init__(self, practice_id: str, status: str) -> None:
        super().__init__(f"'{practice_id}' is geen kladversie (status {status}).")
        self.practice_id = practice_id


class ReadError(PraktijkbankError):
    """A source file cannot be read or parsed."""


class StoreError(PraktijkbankError):
    """The catalogue database cannot be opened or has an unsupported schema."""


class StoreReadOnly(StoreError):
    """The catalogue database cannot be written (a read-only file, folder or mount)."""

    def __init__(self, path: object, reason: object) -> None:
        super().__init__(f"De catalogus ({path}) kan alleen gelezen worden, niet gewijzigd ({reason}). "
                         "Controleer de rechten op het bestand en de map.")


class IndexOutOfDate(PraktijkbankError):
    """The vector index does not match the catalogue or the configured embedder."""


class IndexMissing(IndexOutOfDate):
    """No vector index exists yet."""


class EmbedderUnavailable(PraktijkbankError):
    """The configured embedding model cannot be loaded."""


class CopyRefused(PraktijkbankError):
    """A copy between catalogues that could not be faithful (a target in use, another model); nothing was written."""
