"""Copying a whole catalogue between backends without embedding it again (`praktijkbank migrate`).

`copy_catalogue` reads, through the protocols only, every practice of the source (every status,
with the ids, dates and content it stores), its API keys as stored records (hashes and
revocations, never secrets) and, for each published practice whose indexed content hash equals
its current one, the vector and sentence vectors its index holds. Only practices whose vectors
lag or are missing are embedded. The target is written in one write transaction of its store:
practices, keys and (pgvector) vectors, with the counts checked before the commit. On SQLite the
target is a fresh catalogue in a folder beside the live one (`StagedSqlite`), swapped in once it
is complete, as a restore does; so a failed copy leaves the target as it was. `verify`
(api/compare.py) then counts both sides and compares the top 10 of a sample of searches.

`migrate_to_postgres` and `migrate_from_postgres` are the command's two directions: the SQLite
catalogue of PRAKTIJKBANK_HOME into a PostgreSQL database, or back. Both sides share one model.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from api.compare import SEARCHES, STATUS_LABELS, STATUSES, Verification, verify
from api.core import Praktijkbank, tuning_from
from catalogue.backup_sqlite import summarise
from catalogue.errors import CopyRefused, IndexMissing, IndexOutOfDate
from catalogue.keys import StoredKey
from catalogue.model import Practice, Status
from catalogue.settings import Settings
from catalogue.store import Filters, PracticeStore
from catalogue.store_sqlite import SqliteStore
from search.embedders.lazy import LazyEmbedder
from search.index import IndexStamp
from search.index_file import IndexFile
from search.indexing import Encoded
from search.service import Tuning
from search.trace import stage

# (done, total) of the practices read and embedded
Progress = Callable[[int, int], None]
EVERY_STATUS = Filters(status=())
READ_CHUNK = 500  # practices read from the source at a time


@dataclass(frozen=True)
class Copied:
    """What a copy wrote: practices, API keys, and where the published practices' vectors came from."""

    practices: int
    keys: int
    vectors_copied: int  # taken over from the source index
    embedded: int  # embedded again: the source index lacked them or they lagged their content


@dataclass
class SourceRead:
    """Everything read from the source: practices by rid, keys, vectors by content hash."""

    practices: list[Practice] = field(default_factory=list)
    keys: list[StoredKey] = field(default_factory=list)
    encoded: Encoded = field(default_factory=lambda: Encoded({}, {}))
    lagging: list[Practice] = field(default_factory=list)  # published, without usable vectors


def ensure_empty(core: Praktijkbank, where: str) -> None:
    """CopyRefused when the catalogue holds practices or API keys."""
    practices, keys = core.store.count(), len(core.keys.export_keys())
    if practices or keys:
        raise CopyRefused(f"Het doel ({where}) is niet leeg: {practices} praktijken en {keys} API-sleutels. "
                          "Kies een lege catalogus, of vervang alles met --overwrite. Er is niets geschreven.")


def _model(core: Praktijkbank) -> tuple[str, int, str | None]:
    return core.embedder.name, core.embedder.dim, core.passages


def _describe(model: tuple[str, int, str | None]) -> str:
    name, dim, passages = model
    return f"embedder '{name}' ({dim} dimensies, {'met' if passages else 'zonder'} zinsvectoren)"


def check_models(source: Praktijkbank, target: Praktijkbank, *, source_name: str,
                 target_name: str) -> IndexStamp | None:
    """The source index's stamp (None when it has none yet), once both sides are known to use the
    same embedder and sentence scheme and to hold no other model's vectors; else CopyRefused."""
    if _model(source) != _model(target):
        raise CopyRefused(
            f"De bron ({source_name}) gebruikt {_describe(_model(source))}, het doel ({target_name}) "
            f"{_describe(_model(target))}. Vectoren kunnen alleen mee tussen catalogi met dezelfde embedder en "
            "zinsvectoren: stel PRAKTIJKBANK_EMBEDDER en PRAKTIJKBANK_PASSAGE_WEIGHT voor beide gelijk in. "
            "Er is niets geschreven.")
    try:
        stamp: IndexStamp | None = source.index.stamp
    except IndexMissing:
        stamp = None  # never indexed: every published practice is embedded
    except IndexOutOfDate as e:
        raise CopyRefused(f"De zoekindex van de bron ({source_name}) past niet bij {_describe(_model(source))}: "
                          f"{e} Er is niets geschreven.") from e
    try:
        len(target.index)
    except IndexMissing:
        pass
    except IndexOutOfDate as e:
        raise CopyRefused(f"Het doel ({target_name}) bewaart vectoren van een ander model: {e} "
                          "Er is niets geschreven.") from e
    return stamp


def read_catalogue(source: Praktijkbank, stamp: IndexStamp | None, *, source_name: str,
                   progress: Progress | None = None) -> SourceRead:
    """Every practice (by rid), the stored keys and the vectors that are current; CopyRefused
    when rows of the source do not read as practices."""
    if bad := source.store.bad_rows():
        raise CopyRefused(f"De bron ({source_name}) bevat {len(bad)} ongeldige praktijk(en): "
                          f"{summarise(list(bad.values()))}. Herstel ze eerst ('praktijkbank check'); "
                          "er is niets geschreven.")
    read = SourceRead(keys=source.keys.export_keys())
    indexed = stamp.entries if stamp is not None else {}
    rids = source.store.filter_rids(EVERY_STATUS)
    for start in range(0, len(rids), READ_CHUNK):
        chunk = rids[start:start + READ_CHUNK]
        found = source.store.get_many(chunk)
        for rid in chunk:
            if (practice := found.get(rid)) is None:
                continue  # deleted while we read
            read.practices.append(practice)
            if practice.status == Status.published and not (
                    indexed.get(rid) == practice.content_hash() and _take_vectors(source, rid, practice, read.encoded)):
                read.lagging.append(practice)
        if progress:
            progress(len(read.practices), len(rids))
    return read


def _take_vectors(source: Praktijkbank, rid: int, practice: Practice, encoded: Encoded) -> bool:
    """Add the practice's stored vectors to `encoded`; False when the index lacks some of them."""
    vector = source.index.vector(rid)
    sentences = source.index.passage_vectors(rid) if source.passages else None
    if vector is None or (source.passages and sentences is None):
        return False
    key = practice.content_hash()
    encoded.vectors[key] = vector
    if sentences is not None:
        encoded.passages[key] = sentences
    encoded.ids[practice.id] = key
    return True


def copy_catalogue(source: Praktijkbank, target: Praktijkbank, *, overwrite: bool = False,
                   source_name: str = "de bron", target_name: str = "het doel",
                   progress: Progress | None = None) -> Copied:
    """Copy every practice, API key and current vector of `source` into `target` in one write
    transaction of the target's store; embed only what the source index lacks.

    The target must hold no practices and no keys, unless `overwrite` (then all of it is
    replaced). CopyRefused, with nothing written, when it is not empty, when the two use another
    model, or when the counts written differ from the counts read.
    """
    stamp = check_models(source, target, source_name=source_name, target_name=target_name)
    if not overwrite:
        ensure_empty(target, target_name)
    read = read_catalogue(source, stamp, source_name=source_name, progress=progress)
    total = len(read.practices) + len(read.lagging)

    def embedded(n: int) -> None:
        if progress:
            progress(len(read.practices) + n, total)

    prepared = target.indexing.encode(read.lagging, progress=_counting(embedded))
    prepared.update(read.encoded)
    with target.store.transaction():
        if overwrite:
            for practice in target.store.list_practices(EVERY_STATUS):
                target.store.delete(practice.id)
        else:
            ensure_empty(target, target_name)  # again, now inside the transaction
        target.store.upsert_many(read.practices)
        target.indexing.stage(target.store, prepared)  # pgvector: the vectors, in this transaction
        target.keys.import_keys(read.keys)
        _check_written(target.store, read, len(target.keys.export_keys()))
    target.indexing.apply(target.store, prepared)  # a FAISS file: written from `prepared` now
    return Copied(len(read.practices), len(read.keys), len(read.encoded.vectors), len(read.lagging))


def _counting(report: Callable[[int], None]) -> Callable[[int], None]:
    """A progress callback that reports the running total of the counts it is given."""
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        report(done[0])

    return advance


def _check_written(store: PracticeStore, read: SourceRead, keys: int) -> None:
    """Inside the write transaction: the target counts what was read, or the copy rolls back."""
    wanted = Counter(str(p.status) for p in read.practices)
    written = {s: store.count(Filters(status=(s,))) for s in STATUSES}
    if any(written[s] != wanted.get(s, 0) for s in STATUSES) or keys != len(read.keys):
        raise CopyRefused(
            f"Het doel telt na het kopiëren {_counts(written)} en {keys} API-sleutels, de bron "
            f"{_counts(dict(wanted))} en {len(read.keys)}. Er is niets geschreven.")


def _counts(statuses: dict[str, int]) -> str:
    return ", ".join(f"{statuses.get(s, 0)} {STATUS_LABELS[s]}" for s in STATUSES)


# -- the two directions -------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationReport:
    """A copy and its verification, with the two sides named for people."""

    source_name: str
    target_name: str
    copied: Copied
    verification: Verification


class StagedSqlite:
    """A fresh SQLite catalogue and FAISS file in a folder beside the live ones, filled through its
    core and then swapped in whole (`swap`). Closed without a swap, the folder is removed and the
    live catalogue was never touched."""

    def __init__(self, db_path: Path, index_path: Path, *, embedder: LazyEmbedder, tuning: Tuning) -> None:
        self.db_path, self.index_path = Path(db_path), Path(index_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        # beside the live files: the index is renamed into place, which needs the same file system
        self.folder = Path(tempfile.mkdtemp(prefix=".migrate-", dir=self.db_path.parent))
        self.core = Praktijkbank.over(SqliteStore(self.folder / self.db_path.name),
                                      index_path=self.folder / self.index_path.name, embedder=embedder,
                                      tuning=tuning)

    def swap(self, live: SqliteStore) -> None:
        """Put the staged catalogue in place of `live` (one backup step), then its index file.

        Between the two steps the live index lags the catalogue: its stamp shows so, and
        `praktijkbank check --repair` would embed again what a crash right there left behind."""
        self.core.close()
        live.replace_with(self.folder / self.db_path.name)
        IndexFile(self.index_path, embedder=self.core.embedder, passages=self.core.passages).replace_with(
            self.folder / self.index_path.name)

    def __enter__(self) -> StagedSqlite:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.core.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _local(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_url": None})


def _names(settings: Settings, url: str) -> tuple[str, str]:
    from catalogue.postgres.connection import redact

    return f"SQLite in {settings.home}", f"PostgreSQL {redact(url)}"


def migrate_to_postgres(settings: Settings, url: str, *, overwrite: bool = False, searches: int = SEARCHES,
                        progress: Progress | None = None) -> MigrationReport:
    """Copy the SQLite catalogue of `settings.home` into the PostgreSQL database at `url`."""
    local = _local(settings)
    lite_name, pg_name = _names(local, url)
    source = Praktijkbank.from_settings(local, create=False)
    try:
        target = Praktijkbank.from_settings(local.model_copy(update={"database_url": url}), embedder=source.embedder)
        try:
            with stage("copy"):  # timed for the speed benchmark (search/trace.py), else nothing
                copied = copy_catalogue(source, target, overwrite=overwrite, source_name=lite_name,
                                        target_name=pg_name, progress=progress)
            with stage("verify"):
                verification = verify(source, target, searches=searches)
            return MigrationReport(lite_name, pg_name, copied, verification)
        finally:
            target.close()
    finally:
        source.close()


def migrate_from_postgres(settings: Settings, url: str, *, overwrite: bool = False, searches: int = SEARCHES,
                          progress: Progress | None = None) -> MigrationReport:
    """Copy the PostgreSQL database at `url` into the SQLite catalogue of `settings.home`, built
    in a folder beside it and swapped in once complete."""
    local = _local(settings)
    lite_name, pg_name = _names(local, url)
    source = Praktijkbank.from_settings(local.model_copy(update={"database_url": url}))
    try:
        if not overwrite and local.db_path.exists():  # fail before the work; checked again at the swap
            live = _open_local(local, SqliteStore(local.db_path, create=False), source.embedder)
            try:
                ensure_empty(live, lite_name)
            finally:
                live.close()
        with StagedSqlite(local.db_path, local.index_path, embedder=source.embedder,
                          tuning=tuning_from(local)) as staged:
            copied = copy_catalogue(source, staged.core, source_name=pg_name, target_name=lite_name,
                                    progress=progress)
            live_store = SqliteStore(local.db_path)
            live = _open_local(local, live_store, source.embedder)
            try:
                if not overwrite:
                    ensure_empty(live, lite_name)
                staged.swap(live_store)
                verification = verify(source, live, searches=searches)
            finally:
                live.close()
        return MigrationReport(pg_name, lite_name, copied, verification)
    finally:
        source.close()


def _open_local(settings: Settings, store: SqliteStore, embedder: LazyEmbedder) -> Praktijkbank:
    """The live SQLite catalogue of `settings.home` over `store`, with the shared model."""
    return Praktijkbank.over(store, index_path=settings.index_path, embedder=embedder, tuning=tuning_from(settings))
