"""Salvage: copy every row that can still be read from a damaged SQLite file into a fresh one.

SQLite's own ``.recover`` needs the ``sqlite_dbpage`` table, which Python's sqlite3 module does
not build (and the ``sqlite3`` command line is not always installed, or built with it), so the
rows are read through ordinary queries on a scratch copy of the damaged file:

- The copy is opened with ``writable_schema`` on, so that a file shorter than its header says
  (a truncated tail) is read as far as it goes instead of refused outright.
- A header that no longer reads as SQLite's (garbage in the first 100 bytes) is rebuilt with each
  plausible page size in turn; the pages after it are still where they were.
- Each table is read in rowid order until a damaged page stops the scan, then in reverse order
  from its end, and every rowid left between the two is asked for on its own: a query for one
  rowid walks only the pages on its own path, so it gets past a damaged leaf.
- Each index of the table is read for the rowids it lists, which bounds how many rows there were.

What was lost is counted on the store's guarantee that rows are never deleted, so a table's
rowids run from 1 to its highest: the highest rowid known for sure (the last row of a complete
scan, the first row of the reverse scan, or the largest rowid in a complete index) minus the rows
kept. When none of these could be read, how many rows were lost is not known.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Page sizes to try when the header is unreadable, the default first.
PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
# A cell takes at least a 2-byte pointer and 2 bytes of content, so no leaf page holds more rows
# than this share of its size: past it, a run of unreadable rowids cannot all sit on one lost page.
MIN_CELL_BYTES = 4

RowCheck = Callable[[str, dict[str, Any]], bool]


@dataclass(frozen=True)
class TableSalvage:
    """One table: the rows copied, and the rows lost (None when their number cannot be known)."""

    table: str
    kept: int
    lost: int | None


@dataclass(frozen=True)
class Salvage:
    tables: tuple[TableSalvage, ...]

    @property
    def kept(self) -> int:
        return sum(table.kept for table in self.tables)

    @property
    def complete(self) -> bool:
        """Every row was kept, as far as can be known."""
        return all(table.lost == 0 for table in self.tables)


def salvage(damaged: Path, target: sqlite3.Connection, tables: Sequence[str], accept: RowCheck) -> Salvage:
    """Copy the readable rows of ``tables`` from ``damaged`` (never modified) into ``target``.

    Rows keep their rowids. Only the columns both files have are copied, and only rows that
    ``accept(table, row)`` passes and ``target``'s constraints allow. ``target`` is expected to be
    inside a write transaction, so that nobody sees the new file half filled.
    """
    unknown = Salvage(tuple(TableSalvage(table, 0, None) for table in tables))
    try:
        with _scratch_copy(damaged) as source:
            if source is None:
                return unknown
            return Salvage(tuple(_copy_table(source, target, table, accept) for table in tables))
    except OSError:
        # No room for the scratch copy: the damaged file stays aside, untouched, for a later try by hand.
        return unknown


@contextmanager
def _scratch_copy(damaged: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to a readable copy of ``damaged`` (beside it, deleted afterwards), or None."""
    with tempfile.TemporaryDirectory(prefix=".salvage-", dir=damaged.parent) as folder:
        copy = Path(folder) / "copy.sqlite3"
        shutil.copyfile(damaged, copy)
        wal = Path(f"{damaged}-wal")
        if wal.is_file():
            shutil.copyfile(wal, f"{copy}-wal")
        connection = _open_readable(copy)
        try:
            yield connection
        finally:
            if connection is not None:
                connection.close()


def _open_readable(copy: Path) -> sqlite3.Connection | None:
    """A connection that can read ``copy``'s schema, rebuilding its header if need be; None when nothing helps."""
    if (connection := _try_open(copy)) is not None:
        return connection
    in_wal_mode = Path(f"{copy}-wal").is_file()
    for page_size in PAGE_SIZES:
        _write_header(copy, page_size, in_wal_mode)
        if (connection := _try_open(copy)) is not None:
            return connection
    return None


def _try_open(copy: Path) -> sqlite3.Connection | None:
    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("PRAGMA cell_size_check = ON")
        connection.execute("SELECT name FROM sqlite_schema").fetchall()
    except sqlite3.DatabaseError:
        connection.close()
        return None
    return connection


def _write_header(copy: Path, page_size: int, in_wal_mode: bool) -> None:
    """A plain header (https://www.sqlite.org/fileformat.html#the_database_header) for ``page_size``.

    The page count is left 0 so that SQLite takes it from the file's size; schema format 4, the
    current one; no free-list (its pages hold no rows); UTF-8 text, as the store
    always uses. Everything after the first 100 bytes of page 1, the schema table, is left as it was.
    """
    version = 2 if in_wal_mode else 1
    header = b"SQLite format 3\x00" + struct.pack(
        ">HBBBBBBIIIIIIIIIIII20xII",
        page_size if page_size < 65536 else 1,
        version, version,  # file format write / read versions: 2 is WAL
        0,  # reserved bytes at the end of each page
        64, 32, 32,  # payload fractions, fixed by the format
        1,  # file change counter
        0,  # database size in pages: 0 = from the file size
        0, 0,  # free-list trunk page, free-list pages
        1, 4,  # schema cookie, schema format
        0, 0,  # default page cache size, largest root page (no auto-vacuum)
        1,  # text encoding: UTF-8
        0, 0, 0,  # user version, incremental vacuum, application id
        1,  # version-valid-for, equal to the change counter
        sqlite3.sqlite_version_info[0] * 1_000_000 + sqlite3.sqlite_version_info[1] * 1000,
    )
    with open(copy, "r+b") as file:
        file.write(header)


def _copy_table(source: sqlite3.Connection, target: sqlite3.Connection, table: str, accept: RowCheck) -> TableSalvage:
    try:
        present = source.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)).fetchall()
        source_columns = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
    except sqlite3.DatabaseError:
        return TableSalvage(table, 0, None)
    if not present:
        # An older file, from before this table existed.
        return TableSalvage(table, 0, 0)
    columns = [row[1] for row in target.execute(f'PRAGMA table_info("{table}")') if row[1] in source_columns]
    rows, highest = _readable_rows(source, table, columns, _page_size(source))
    insert = f'INSERT OR IGNORE INTO "{table}" (rowid, {_names(columns)}) VALUES ({", ".join("?" * (len(columns) + 1))})'
    kept = 0
    for rowid in sorted(rows):
        values = rows[rowid]
        if accept(table, dict(zip(columns, values))):
            # OR IGNORE: a row the new file's constraints refuse (a NULL where none may be) is not kept.
            kept += target.execute(insert, (rowid, *values)).rowcount
    return TableSalvage(table, kept, None if highest is None else max(0, highest - kept))


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{column}"' for column in columns)


def _page_size(source: sqlite3.Connection) -> int:
    size: int = source.execute("PRAGMA page_size").fetchone()[0]
    return size


def _readable_rows(
    source: sqlite3.Connection, table: str, columns: Sequence[str], page_size: int
) -> tuple[dict[int, tuple[Any, ...]], int | None]:
    """``({rowid: values}, highest rowid known for sure or None)``."""
    select = f'SELECT rowid, {_names(columns)} FROM "{table}"'
    rows: dict[int, tuple[Any, ...]] = {}
    if _scan(source, f"{select} ORDER BY rowid", (), rows):
        return rows, max(rows, default=0)
    below = max(rows, default=0)
    tail: dict[int, tuple[Any, ...]] = {}
    _scan(source, f"{select} WHERE rowid > ? ORDER BY rowid DESC", (below,), tail)
    rows.update(tail)
    listed = _indexed_highest(source, table)
    known = [rowid for rowid in (max(tail, default=None), listed) if rowid is not None]
    highest = max(known) if known else None
    # Between the two scans: every rowid on its own, up to the first one the reverse scan reached.
    above = min(tail) if tail else (highest + 1 if highest is not None else below + page_size // MIN_CELL_BYTES + 1)
    for rowid in range(below + 1, above):
        _scan(source, f"{select} WHERE rowid = ?", (rowid,), rows)
    return rows, highest


def _scan(source: sqlite3.Connection, sql: str, parameters: tuple[Any, ...], into: dict[int, tuple[Any, ...]]) -> bool:
    """Add the rows of ``sql`` to ``into`` until a damaged page stops it; True when it ran to the end."""
    try:
        with closing(source.execute(sql, parameters)) as cursor:
            for rowid, *values in cursor:
                into[rowid] = tuple(values)
    except sqlite3.DatabaseError:
        return False
    return True


def _indexed_highest(source: sqlite3.Connection, table: str) -> int | None:
    """The largest rowid listed by a complete index of ``table``, or None when no index reads to the end."""
    try:
        indexes = [row[0] for row in source.execute("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?", (table,))]
    except sqlite3.DatabaseError:
        return None
    highest = None
    for index in indexes:
        listed: dict[int, tuple[Any, ...]] = {}
        if _scan(source, f'SELECT rowid FROM "{table}" INDEXED BY "{index}"', (), listed):
            highest = max(highest or 0, max(listed, default=0))
    return highest
