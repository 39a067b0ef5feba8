"""The FAISS index as one file that several processes share.

Each process holds the index it loaded and reloads it when another process replaced the file
(a CLI ingest while the server runs). Before its first use the index is checked against the
configured embedder: an index made by another model or without the configured sentence vectors
is refused, with the command that rebuilds it. Writers take a lock file, so only one process
writes at a time; the file itself is replaced atomically (FaissIndex.save).

`IndexFile` implements the VectorIndex protocol: every read goes to the current index, and
raises IndexMissing or IndexOutOfDate when there is none that fits.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from catalogue.errors import IndexMissing, IndexOutOfDate
from search.embedders import Embedder
from search.fusion import Ranking
from search.index import IndexStamp, verify_stamp
from search.index_faiss import FaissIndex

FileKey = tuple[int, int, int]


class IndexFile:
    """The current FaissIndex of one file, verified against an embedder."""

    def __init__(self, path: Path, *, embedder: Embedder, passages: str | None, nprobe: int = 0) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.passages = passages  # the sentence-vector scheme the index must hold, or None
        self.nprobe = nprobe
        self._index: FaissIndex | None = None
        self._key: FileKey | None = None
        self._verified = False  # whether the loaded index was checked against the embedder
        self._dirty = False  # a write failed half-way: the index in memory may differ from the file
        self._generation = 0  # moves whenever this process changes the index it serves
        self._lock = threading.RLock()

    def _file_key(self) -> FileKey | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def state_key(self) -> tuple[FileKey | None, int, bool]:
        """Changes whenever the index a check would see may have changed: the file (another
        process wrote it), or this process's own writes, finished or not."""
        with self._lock:
            return self._file_key(), self._generation, self._dirty

    @property
    def exists(self) -> bool:
        return self._file_key() is not None

    def current(self, *, verify: bool = True) -> FaissIndex:
        """The index of the file as it is now; verified against the embedder unless told not to."""
        with self._lock:
            key = self._file_key()
            if key is None:
                raise IndexMissing("Er is nog geen zoekindex. Maak er een met 'praktijkbank reindex'.")
            if self._index is None or key != self._key:
                self._index, self._key = FaissIndex.load(self.path), key
                self._index.nprobe = self.nprobe
                self._verified = False
            if verify and not self._verified:
                self.verify(self._index)
                self._verified = True
            return self._index

    def verify(self, index: FaissIndex) -> None:
        """Raise IndexOutOfDate when `index` was not made for the configured embedder and sentences."""
        verify_stamp(index.stamp, self.embedder, self.passages)

    def loads(self) -> bool:
        """Whether the file exists, reads and fits the embedder (an empty index does)."""
        try:
            self.current()
        except IndexOutOfDate:  # IndexMissing is one too
            return False
        return True

    def usable(self) -> FaissIndex | None:
        """The index when it loads, fits the embedder and holds vectors; else None."""
        try:
            index = self.current()
        except IndexOutOfDate:
            return None
        return index if len(index) else None

    # -- writing ------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time: this process's threads, and other processes through a lock file.

        A temporary index file found under the lock is a crashed writer's leftover and goes."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path.with_suffix(".lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                for leftover in self.path.parent.glob(".index-*.tmp"):
                    leftover.unlink(missing_ok=True)
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @property
    def loaded(self) -> FaissIndex | None:
        """The index in memory, as last loaded or written, without looking at the file."""
        return self._index

    def unchanged(self) -> FaissIndex | None:
        """The index in memory when it is the file's, verified and unmodified; else None.

        A writer that finds one skips loading the file again (the common case at start-up)."""
        with self._lock:
            if self._dirty or not self._verified or self._index is None or self._key != self._file_key():
                return None
            return self._index

    def for_update(self, *, fresh: bool) -> FaissIndex:
        """The index a writer changes: a new empty one, or the file's (always re-read: another
        process may have written it). Until `publish`, the index in memory may differ from the file."""
        with self._lock:
            if fresh or self._file_key() is None:
                index = FaissIndex(self.embedder.dim, self.embedder.name, passages=self.passages)
            else:
                self._index = None
                index = self.current()
            self._dirty = True
            self._generation += 1
            return index

    def publish(self, index: FaissIndex, *, save: bool) -> None:
        """Make `index` current, written to the file first when `save`."""
        with self._lock:
            if save or self._file_key() is None:
                index.save(self.path)
            self._index, self._key, self._verified = index, self._file_key(), False
            self._dirty = False
            self._generation += 1

    def replace_with(self, source: Path) -> None:
        """Put the index file at `source` (on the same file system) in place of this one, under
        the writers' lock; every process loads it on its next read."""
        with self.writing():  # holds this object's lock too
            os.replace(source, self.path)
            self._index, self._key, self._verified, self._dirty = None, None, False, False
            self._generation += 1

    # -- VectorIndex: reads of the current index ---------------------------------------------

    @property
    def stamp(self) -> IndexStamp:
        return self.current().stamp

    @property
    def has_passages(self) -> bool:
        return self.current().has_passages

    def __len__(self) -> int:
        return len(self.current())

    def search(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> list[tuple[int, float]]:
        return self.current().search(query, k, rids=rids)

    def rank(self, query: np.ndarray, k: int, *, rids: Sequence[int] | None = None) -> Ranking:
        return self.current().rank(query, k, rids=rids)

    def passage_scores(self, query: np.ndarray, rids: Sequence[int] | np.ndarray) -> np.ndarray:
        return self.current().passage_scores(query, rids)

    def vector(self, rid: int) -> np.ndarray | None:
        return self.current().vector(rid)

    def passage_vectors(self, rid: int) -> np.ndarray | None:
        return self.current().passage_vectors(rid)
