"""Poll feeds: where each file lives and how its CSV becomes a typed Arrow table for the raw layer.

Pure code (no Dagster): the assets in orchestration/defs/polls download the files and hand them
here. Every file is described once (`PollFile`): its columns in the file's own words, their types,
and the raw table they fill. Reading is strict, because a silently mis-typed poll figure would
flow into every average:

- a required column missing (or renamed) is an error naming the file and the columns it has: the
  whole file is wrong, it never loads;
- a row with a cell that cannot be read as its type, or with more or fewer fields than the header,
  is an error naming the file, the row and the column; in `quarantine` mode (the refresh's
  default, lib/quarantine.py) that row alone is left out and reported, the others load;
- an empty cell is NULL; columns the description does not know are accepted and reported back.

The known quirks of the real files are handled here: DD/MM/YYYY dates with every field quoted
(2022 legislative polls), a first column with no name (pollsposition), HTML entities in release
titles (decoded with `html.unescape`, the one change raw makes to a source's words: SQL has no
complete entity decoder), and a column named `source` that the partition column would shadow.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

import pyarrow as pa

from orchestration.lib.quarantine import OnError, QuarantinedMember

PARTITION_COLUMN = "source"
ROW_COLUMN = "source_row"  # 1 = the first data row under the header
MAX_FILE_BYTES = 64 << 20  # the largest feed (the release catalogue) is ~4 MB today


class PollFileError(ValueError):
    """A poll file does not have the shape its description promises; the message says where."""


class Kind(Enum):
    """How a cell is read; the value is the Arrow type it becomes."""

    TEXT = pa.string()
    INT = pa.int32()
    FLOAT = pa.float64()
    DATE = pa.date32()
    BOOL = pa.bool_()


@dataclass(frozen=True)
class Column:
    header: str  # the column's name in the file
    kind: Kind = Kind.TEXT
    name: str | None = None  # the raw column's name when it differs from the header
    required: bool = True
    decode_html: bool = False

    @property
    def raw_name(self) -> str:
        return self.name or self.header


@dataclass(frozen=True)
class PollFile:
    """One CSV file of a feed: where it lives under its base URL and the raw table it fills."""

    path: str
    table: str
    columns: tuple[Column, ...]
    date_format: str = "%Y-%m-%d"

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class PollFeed:
    """A source of polls: one Dagster asset, one partition (`source`) in each of its raw tables.

    `curated` feeds have no public URL: their URL comes from configuration (`curated_url`).
    """

    source: str
    files: tuple[PollFile, ...]
    curated: bool = False
    description: str = ""


@dataclass(frozen=True)
class ParsedPollFile:
    rows: pa.Table
    extra_columns: tuple[str, ...]  # in the file, unknown to its description: accepted, not loaded
    data_rows: int  # rows under the header, quarantined ones included (blank lines are not rows)
    quarantined: list[QuarantinedMember]  # member: "<file>:row <n>"


def _text(*headers: str, required: bool = True) -> tuple[Column, ...]:
    return tuple(Column(header, Kind.TEXT, required=required) for header in headers)


def _typed(kind: Kind, *headers: str, required: bool = True) -> tuple[Column, ...]:
    return tuple(Column(header, kind, required=required) for header in headers)


_NSP_POLL_COLUMNS = (
    *_text("nom_institut", "commanditaire"),
    *_typed(Kind.DATE, "debut_enquete", "fin_enquete"),
    Column("echantillon", Kind.INT),
    Column("population"),
)

FEEDS: tuple[PollFeed, ...] = (
    PollFeed(
        source="mieuxvoter_presidentielle2027",
        description="2027 presidential voting intentions (MieuxVoter, NSPPolls format), updated daily",
        files=(
            PollFile(
                path="MieuxVoter/presidentielle2027/main/presidentielle2027.csv",
                table="polls_presidential_2027",
                columns=(
                    *_text("poll_id", "hypothese"),
                    *_NSP_POLL_COLUMNS,
                    *_typed(Kind.BOOL, "rolling", "media"),
                    *_text("tour", "filename", "candidate_id", "candidat", "parti"),
                    *_typed(Kind.FLOAT, "intentions", "erreur_sup", "erreur_inf"),
                ),
            ),
            PollFile(
                path="MieuxVoter/presidentielle2027/main/polls.csv",
                table="polls_presidential_2027_polls",
                columns=(
                    *_text("poll_id", "hypothese"),
                    *_NSP_POLL_COLUMNS,
                    Column("tour"),
                    *(
                        column
                        for rank in (1, 2, 3)
                        for column in (
                            Column(f"sous_echantillon{rank}", Kind.INT, required=False),
                            Column(f"sous_population{rank}", required=False),
                        )
                    ),
                    Column("filename"),
                ),
            ),
            PollFile(
                path="MieuxVoter/presidentielle2027/main/candidats.csv",
                table="polls_presidential_2027_candidates",
                columns=(
                    *_text("candidate_id", "complete_name", "name", "surname", "parti"),
                    *_typed(Kind.DATE, "annonce_candidature", "retrait_candidature"),
                    Column("second_round", required=False),
                ),
            ),
        ),
    ),
    PollFeed(
        source="nsppolls_presidentielle",
        description="2022 presidential voting intentions (NSPPolls archive)",
        files=(
            PollFile(
                path="nsppolls/nsppolls/master/presidentielle.csv",
                table="polls_presidential_2022",
                columns=(
                    *_text("candidat", "parti"),
                    *_typed(Kind.FLOAT, "intentions", "erreur_sup", "erreur_inf"),
                    Column("id"),
                    *_NSP_POLL_COLUMNS,
                    *_typed(Kind.BOOL, "rolling", "media"),
                    *_text("tour", "hypothese"),
                    Column("sous_echantillon", Kind.FLOAT, required=False),
                ),
            ),
        ),
    ),
    PollFeed(
        source="eliasorphelin_legislatives2022",
        description="2022 legislative first-round intentions (NUPES as one list) and seat projections",
        files=(
            PollFile(
                path="EliasOrphelin/Legislatives2022/main/SondagesLegislatives2022.csv",
                table="polls_legislative_2022",
                date_format="%d/%m/%Y",
                columns=(
                    Column("nom_institut"),
                    *_typed(Kind.DATE, "debut_enquete", "fin_enquete"),
                    *_text("type", "parti"),
                    Column("intentions", Kind.FLOAT),
                    Column("media"),
                    Column("echantillon", Kind.INT),
                    Column("source", name="source_url"),
                ),
            ),
        ),
    ),
    PollFeed(
        source="pollsposition_popularite",
        description="presidential approval barometers 1978 .. 2022 (pollsposition)",
        files=(
            PollFile(
                path="pollsposition/data/main/sondages/popularite.csv",
                table="polls_presidential_approval",
                columns=(
                    Column("", Kind.DATE, name="date"),
                    *_text("president", "sondage"),
                    Column("samplesize", Kind.INT),
                    Column("method"),
                    *_typed(Kind.FLOAT, "approve_pr", "disapprove_pr"),
                ),
            ),
        ),
    ),
    PollFeed(
        source="dlmrr_sondages_france",
        description="catalogue of poll releases (titles, links, themes; no figures), updated daily",
        files=(
            PollFile(
                path="dlmrr/sondages-france/master/data/sondages_enriched.csv",
                table="polls_releases",
                columns=(
                    Column("date", Kind.DATE),
                    Column("institut"),
                    Column("subject", decode_html=True),
                    *_text("link", "theme_name"),
                ),
            ),
        ),
    ),
    PollFeed(
        source="curated_legislative_2022_2023",
        curated=True,
        description="legislative intentions 2022-11 .. 2023-12 with left-split variants, and the 2022 result",
        files=(
            PollFile(
                path="legislative_voting_intentions_2022-11_2023-12.csv",
                table="polls_legislative_2022_2023",
                columns=(
                    *_text("poll_id", "pollster"),
                    *_typed(Kind.DATE, "fieldwork_start", "fieldwork_end"),
                    Column("sample_size", Kind.INT),
                    *_text("variant", "party"),
                    Column("pct", Kind.FLOAT),
                    Column("source_url"),
                    Column("notes", required=False),
                ),
            ),
        ),
    ),
    PollFeed(
        source="curated_popularity_barometers",
        curated=True,
        description="leaders' barometer points 2022 .. 2024, one metric per row",
        files=(
            PollFile(
                path="popularity_barometers_2022_2024.csv",
                table="polls_popularity_barometers",
                columns=(
                    *_text("pollster", "sponsor", "barometer", "wave"),
                    *_typed(Kind.DATE, "fieldwork_start", "fieldwork_end", "published"),
                    Column("sample_size", Kind.INT),
                    *_text("method", "population", "subject", "metric"),
                    *_typed(Kind.FLOAT, "value_pct", "change_pts"),
                    Column("source_url"),
                    Column("notes", required=False),
                ),
            ),
        ),
    ),
)


def feed_by_source(source: str) -> PollFeed:
    for feed in FEEDS:
        if feed.source == source:
            return feed
    raise KeyError(f"no poll feed named {source!r}")


def parse_poll_file(path: Path, spec: PollFile, *, source: str, on_error: OnError = "fail") -> ParsedPollFile:
    """Read one downloaded poll file into the rows of its raw table (partition `source`); a row
    that cannot be read fails the file (`fail`) or is left out and listed (`quarantine`)."""
    text = _read_text(path, spec)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise PollFileError(f"{spec.file_name}: the file is empty (no header row)")
    positions = _column_positions(header, spec)
    readers = [_cell_reader(column, spec.date_format) for column in spec.columns]
    values: list[list[object]] = [[] for _ in spec.columns]
    row_numbers: list[int] = []
    quarantined: list[QuarantinedMember] = []
    data_rows = 0
    for row_number, record in enumerate(reader, start=1):
        if not record:
            continue  # a blank line (e.g. a trailing newline) holds no poll
        data_rows += 1
        try:
            cells = _read_row(record, len(header), positions, readers, spec, row_number)
        except PollFileError as exc:
            if on_error == "fail":
                raise
            quarantined.append(QuarantinedMember(f"{spec.file_name}:row {row_number}", str(exc)))
            continue
        row_numbers.append(row_number)
        for column_values, cell in zip(values, cells):
            column_values.append(cell)
    arrays = [pa.array([source] * len(row_numbers), pa.string()), pa.array(row_numbers, pa.int32())]
    arrays += [pa.array(column_values, column.kind.value) for column_values, column in zip(values, spec.columns)]
    names = [PARTITION_COLUMN, ROW_COLUMN] + [column.raw_name for column in spec.columns]
    known = {column.header for column in spec.columns}
    extra = tuple(name for name in header if name not in known)
    return ParsedPollFile(pa.Table.from_arrays(arrays, names=names), extra, data_rows, quarantined)


def _read_text(path: Path, spec: PollFile) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PollFileError(f"{spec.file_name}: not UTF-8 text ({exc})") from exc


def _column_positions(header: list[str], spec: PollFile) -> dict[str, int]:
    positions = {name.strip(): index for index, name in enumerate(header)}
    missing = [
        column.header or "(unnamed first column)"
        for column in spec.columns
        if column.required and column.header not in positions
    ]
    if missing:
        found = ", ".join(repr(name) for name in header)
        raise PollFileError(
            f"{spec.file_name}: missing required column(s) {', '.join(missing)}; the header has {found}"
        )
    return positions


CellReader = Callable[[str], object]


def _read_row(
    record: list[str], width: int, positions: dict[str, int], readers: list[CellReader], spec: PollFile, row_number: int
) -> list[object]:
    """The typed cells of one data row; a row whose width differs from the header's is an error."""
    if len(record) != width:
        raise PollFileError(f"{spec.file_name}: row {row_number} has {len(record)} fields, the header has {width}")
    return [
        _read_cell(
            reader, record[positions[column.header]] if column.header in positions else "", spec, row_number, column
        )
        for reader, column in zip(readers, spec.columns)
    ]


def _cell_reader(column: Column, date_format: str) -> CellReader:
    if column.kind is Kind.DATE:
        return lambda cell: datetime.strptime(cell, date_format).date()
    if column.kind is Kind.TEXT:
        return _decoded_html if column.decode_html else str
    return {Kind.INT: _read_int, Kind.FLOAT: _read_float, Kind.BOOL: _read_bool}[column.kind]


def _read_cell(reader: CellReader, cell: str, spec: PollFile, row_number: int, column: Column) -> object:
    cell = cell.strip()
    if cell == "":
        return None
    try:
        return reader(cell)
    except ValueError as exc:
        raise PollFileError(
            f"{spec.file_name}: row {row_number}, column {column.header or '(unnamed first column)'}: "
            f"cannot read {cell!r} as {column.kind.name.lower()} ({exc})"
        ) from exc


def _decoded_html(cell: str) -> str:
    """Entities decoded, then trimmed again: a trailing &nbsp; is whitespace once decoded."""
    return html.unescape(cell).strip()


def _read_int(cell: str) -> int:
    """Integers, also when written as a float with no fraction ("1501.0")."""
    try:
        return int(cell)
    except ValueError:
        number = _read_float(cell)
        if not number.is_integer():
            raise ValueError("not a whole number") from None
        return int(number)


def _read_float(cell: str) -> float:
    number = float(cell)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return number


def _read_bool(cell: str) -> bool:
    lowered = cell.lower()
    if lowered not in ("true", "false"):
        raise ValueError("expected True or False")
    return lowered == "true"
