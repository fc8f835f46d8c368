"""The poll parsers on the real files of ../shared/data/polls, one test per known format quirk, and on
broken copies of them: a bad file must fail naming the file, the row and the column.

Expected values are read from the files here with the csv module, independently of the parser.
"""

from __future__ import annotations

import csv
import html
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.lib.polls import FEEDS, PollFeed, PollFile, PollFileError, feed_by_source, parse_poll_file

ALL_FILES = [(feed, spec) for feed in FEEDS for spec in feed.files]


def file_path(shared_data: Path, feed: PollFeed, spec: PollFile) -> Path:
    return shared_data / "polls" / ("curated" if feed.curated else "github") / spec.path


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def only_file(source: str) -> tuple[PollFeed, PollFile]:
    feed = feed_by_source(source)
    (spec,) = feed.files
    return feed, spec


def parse_real(shared_data: Path, source: str) -> tuple[pa.Table, list[dict[str, str]]]:
    feed, spec = only_file(source)
    path = file_path(shared_data, feed, spec)
    return parse_poll_file(path, spec, source=feed.source).rows, csv_rows(path)


@pytest.mark.parametrize(("feed", "spec"), ALL_FILES, ids=[spec.table for _, spec in ALL_FILES])
def test_every_real_file_parses_to_one_row_per_csv_record(shared_data: Path, feed: PollFeed, spec: PollFile) -> None:
    path = file_path(shared_data, feed, spec)
    rows = parse_poll_file(path, spec, source=feed.source).rows
    assert rows.num_rows == len(csv_rows(path))
    assert set(rows.column("source").to_pylist()) == {feed.source}
    assert rows.column("source_row").to_pylist() == list(range(1, rows.num_rows + 1))


def test_legislative_2022_reads_quoted_day_first_dates_and_keeps_the_url_column(shared_data: Path) -> None:
    rows, records = parse_real(shared_data, "eliasorphelin_legislatives2022")
    expected_starts = [datetime.strptime(record["debut_enquete"], "%d/%m/%Y").date() for record in records]
    assert rows.column("debut_enquete").to_pylist() == expected_starts
    assert rows.column("source_url").to_pylist() == [record["source"] or None for record in records]
    # A day above 12 proves day and month are not swapped.
    assert date(2022, 5, 16) in expected_starts


def test_legislative_2022_keeps_the_published_errors_raw(shared_data: Path) -> None:
    rows, records = parse_real(shared_data, "eliasorphelin_legislatives2022")
    ipsos_sizes = {int(r["echantillon"]) for r in records if r["nom_institut"] == "IPSOS" and r["echantillon"]}
    assert 11247 in ipsos_sizes
    assert 11247 in rows.column("echantillon").to_pylist()


def test_popularite_first_column_has_no_name_and_becomes_date(shared_data: Path) -> None:
    feed, spec = only_file("pollsposition_popularite")
    path = file_path(shared_data, feed, spec)
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[0] == ""
    rows = parse_poll_file(path, spec, source=feed.source).rows
    assert rows.column("date").to_pylist() == [date.fromisoformat(record[""]) for record in csv_rows(path)]


def test_release_titles_are_decoded_from_html_entities(shared_data: Path) -> None:
    rows, records = parse_real(shared_data, "dlmrr_sondages_france")
    with_entities = [record["subject"] for record in records if "&" in record["subject"] and ";" in record["subject"]]
    assert any("&rsquo;" in title for title in with_entities)
    titles = rows.column("subject").to_pylist()
    assert titles == [html.unescape(record["subject"]).strip() or None for record in records]
    assert not any("&rsquo;" in title for title in titles if title)


def test_undated_releases_are_kept_with_a_null_date(shared_data: Path) -> None:
    rows, records = parse_real(shared_data, "dlmrr_sondages_france")
    undated = sum(1 for record in records if not record["date"])
    assert undated > 0
    assert rows.column("date").null_count == undated


def test_barometer_waves_stay_text_even_when_unreadable(shared_data: Path) -> None:
    rows, records = parse_real(shared_data, "curated_popularity_barometers")
    assert rows.column("wave").to_pylist() == [record["wave"] or None for record in records]
    assert any("approx" in record["wave"] for record in records)


def test_integral_sample_sizes_written_as_floats_are_read(tmp_path: Path) -> None:
    feed, spec = only_file("pollsposition_popularite")
    path = write(
        tmp_path / spec.file_name,
        ",president,sondage,samplesize,method,approve_pr,disapprove_pr\n"
        "2022-05-01,macron2,Ifop,1946.0,internet,41.0,58.0\n",
    )
    assert parse_poll_file(path, spec, source=feed.source).rows.column("samplesize").to_pylist() == [1946]


# Bad files ------------------------------------------------------------------------------------

APPROVAL_HEADER = ",president,sondage,samplesize,method,approve_pr,disapprove_pr\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def parse_approval(tmp_path: Path, text: str) -> pa.Table:
    feed, spec = only_file("pollsposition_popularite")
    return parse_poll_file(write(tmp_path / spec.file_name, text), spec, source=feed.source).rows


def test_a_renamed_required_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    with pytest.raises(PollFileError, match=r"popularite\.csv: missing required column\(s\) approve_pr"):
        parse_approval(
            tmp_path,
            APPROVAL_HEADER.replace("approve_pr", "approval") + "2022-05-01,macron2,Ifop,1000,internet,41,58\n",
        )


def test_an_unparsable_number_names_the_file_row_and_column(tmp_path: Path) -> None:
    text = APPROVAL_HEADER + "2022-05-01,macron2,Ifop,1000,internet,41,58\n2022-05-02,macron2,BVA,1000,internet,4l,58\n"
    with pytest.raises(PollFileError, match=r"popularite\.csv: row 2, column approve_pr: cannot read '4l' as float"):
        parse_approval(tmp_path, text)


def test_an_unparsable_date_names_the_file_row_and_column(tmp_path: Path) -> None:
    feed, spec = only_file("eliasorphelin_legislatives2022")
    text = (
        '"nom_institut","debut_enquete","fin_enquete","type","parti","intentions","media","echantillon","source"\n'
        '"Ifop","2022-05-06","09/05/2022","score","NUPES","28","LCI","1802",""\n'
    )
    with pytest.raises(PollFileError, match=r"row 1, column debut_enquete: cannot read '2022-05-06' as date"):
        parse_poll_file(write(tmp_path / spec.file_name, text), spec, source=feed.source)


def test_a_row_of_the_wrong_width_is_named(tmp_path: Path) -> None:
    with pytest.raises(PollFileError, match=r"row 1 has 6 fields, the header has 7"):
        parse_approval(tmp_path, APPROVAL_HEADER + "2022-05-01,macron2,Ifop,1000,internet,41\n")


def test_unknown_extra_columns_are_accepted_and_reported(tmp_path: Path) -> None:
    feed, spec = only_file("pollsposition_popularite")
    path = write(
        tmp_path / spec.file_name,
        APPROVAL_HEADER.rstrip("\n") + ",neutral_pr\n2022-05-01,macron2,Ifop,1000,internet,41,58,1\n",
    )
    parsed = parse_poll_file(path, spec, source=feed.source)
    assert parsed.extra_columns == ("neutral_pr",)
    assert parsed.rows.column("approve_pr").to_pylist() == [41.0]


def test_empty_cells_are_null(tmp_path: Path) -> None:
    rows = parse_approval(tmp_path, APPROVAL_HEADER + "2022-05-01,macron2,Ifop,,,41,\n")
    assert rows.column("samplesize").to_pylist() == [None]
    assert rows.column("method").to_pylist() == [None]
    assert rows.column("disapprove_pr").to_pylist() == [None]


def test_in_quarantine_mode_an_unreadable_row_is_left_out_and_the_others_load(tmp_path: Path) -> None:
    feed, spec = only_file("pollsposition_popularite")
    text = (
        APPROVAL_HEADER + "2022-05-01,macron2,Ifop,1000,internet,41,58\n2022-05-02,macron2,BVA,1000,internet,4l,58\n"
        "2022-05-03,macron2,Elabe,1000\n\n2022-05-04,macron2,Odoxa,1000,internet,39,60\n"
    )
    parsed = parse_poll_file(write(tmp_path / spec.file_name, text), spec, source=feed.source, on_error="quarantine")
    assert parsed.rows.column("source_row").to_pylist() == [1, 5]
    assert parsed.rows.column("sondage").to_pylist() == ["Ifop", "Odoxa"]
    assert parsed.data_rows == 4
    assert [(item.member, item.error) for item in parsed.quarantined] == [
        (
            "popularite.csv:row 2",
            "popularite.csv: row 2, column approve_pr: cannot read '4l' as float"
            " (could not convert string to float: '4l')",
        ),
        ("popularite.csv:row 3", "popularite.csv: row 3 has 4 fields, the header has 7"),
    ]


def test_in_quarantine_mode_a_missing_column_still_fails_the_file(tmp_path: Path) -> None:
    feed, spec = only_file("pollsposition_popularite")
    path = write(
        tmp_path / spec.file_name,
        APPROVAL_HEADER.replace("approve_pr", "approval") + "2022-05-01,macron2,Ifop,1000,internet,41,58\n",
    )
    with pytest.raises(PollFileError, match=r"missing required column\(s\) approve_pr"):
        parse_poll_file(path, spec, source=feed.source, on_error="quarantine")


def test_a_real_file_has_no_row_to_quarantine(shared_data: Path) -> None:
    for feed in FEEDS:
        for spec in feed.files:
            parsed = parse_poll_file(
                file_path(shared_data, feed, spec), spec, source=feed.source, on_error="quarantine"
            )
            assert parsed.quarantined == [] and parsed.data_rows == parsed.rows.num_rows > 0, spec.file_name
