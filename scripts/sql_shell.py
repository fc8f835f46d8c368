"""`make sql`: a read-only SQL shell on the published warehouse.

The DuckDB command line is not in the lock, so this is a small REPL over
`duckdb.connect(path, read_only=True)`. Read-only is what makes it safe during a refresh: the
pipeline writes the build database and publication swaps the published file in with a rename, so
an open shell keeps reading the publication it started on and never blocks the next one.

Interactive on a terminal (statements end with `;`, `.tables` lists the marts, `.quit` leaves);
with SQL piped in (`echo "SELECT ..." | make -s sql`) every statement runs and its rows are
written as CSV, so the output feeds other tools.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from pathlib import Path
from typing import TextIO

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.lib.config import load_settings  # noqa: E402

PROMPT, CONTINUATION_PROMPT = "nupes> ", "  ...> "
LIST_TABLES_SQL = (
    "SELECT table_schema, table_name, table_type FROM information_schema.tables "
    "WHERE table_schema IN ('marts', 'staging') ORDER BY table_schema, table_name"
)
DOT_COMMANDS = {".tables": LIST_TABLES_SQL}


def open_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a clear error when nothing has been published yet."""
    if not database.exists():
        raise SystemExit(f"no published warehouse at {database}: run `make run` first")
    return duckdb.connect(str(database), read_only=True)


def csv_value(value: object) -> object:
    """Booleans as SQL spells them (true/false), not as Python does."""
    return str(value).lower() if isinstance(value, bool) else value


def write_csv(relation: duckdb.DuckDBPyRelation, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(relation.columns)
    writer.writerows([csv_value(value) for value in row] for row in relation.fetchall())


def run_script(con: duckdb.DuckDBPyConnection, sql: str, out: TextIO, as_csv: bool) -> None:
    """Run every statement of `sql` in order; each one returning rows is printed."""
    for statement in duckdb.extract_statements(sql):
        relation = con.sql(statement.query)
        if relation is None:
            continue
        if as_csv:
            write_csv(relation, out)
        else:
            print(relation, file=out)


def statement_complete(buffer: str) -> bool:
    """A buffer is ready to run once it ends with `;` (or is a dot command)."""
    stripped = buffer.strip()
    return stripped.endswith(";") or stripped in DOT_COMMANDS


def repl(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    print(f"Read-only SQL on {database}. End statements with ';'. .tables lists tables, .quit leaves.")
    buffer = ""
    while True:
        try:
            line = input(CONTINUATION_PROMPT if buffer else PROMPT)
        except EOFError:
            print()
            return
        except KeyboardInterrupt:
            print()
            buffer = ""
            continue
        if not buffer and line.strip() in (".quit", ".exit"):
            return
        buffer += line + "\n"
        if not statement_complete(buffer):
            continue
        sql, buffer = DOT_COMMANDS.get(buffer.strip(), buffer), ""
        try:
            run_script(con, sql, sys.stdout, as_csv=False)
        except duckdb.Error as exc:
            print(f"Error: {exc}", file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="DuckDB file (default: the published warehouse)")
    parser.add_argument("-c", "--command", help="run this SQL, print its rows as CSV and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = args.database or load_settings().warehouse_path
    with open_read_only(database) as con:
        script = args.command
        if script is None and not sys.stdin.isatty():
            script = sys.stdin.read()
        if script is None:
            repl(con, database)
            return 0
        try:
            run_script(con, script, sys.stdout, as_csv=True)
        except duckdb.Error as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
