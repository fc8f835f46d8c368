"""Security: no path from an archive is written, TLS is never turned off, values are bound as SQL
parameters, and no secret is tracked by git.

The zip bomb and the oversize download are refused in test_bad_sources.py, on the whole refresh.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.config import PROJECT_ROOT, Settings
from support.mirror import LoopbackMirror
from tests.faults.damage import rewrite_zip
from tests.faults.harness import PublishedState, failure_text, refresh

pytestmark = pytest.mark.faults

VOTES_17 = "an/17/loi/scrutins/Scrutins.json.zip"
PATH_OUT_OF_THE_ARCHIVE = "../../evil.json"
POLLS_2027 = "polls/github/MieuxVoter/presidentielle2027/main/presidentielle2027.csv"

# Each written so that it does not match its own source text.
TLS_DISABLED = re.compile(
    r"verify\s*=\s*(False|0|None)\b|_create_unverified_con[t]ext|CERT_NON[E]|check_hostname\s*=\s*False"
    r"|PYTHONHTTPSVERIF[Y]|CURL_CA_BUNDL[E]|disable_warning[s]"
)
SECRETS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bA[KS]IA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}"),
    "Slack token or webhook": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/T\w+/B\w+/\w+"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "credential assigned a literal": re.compile(
        r"(?i)\b(password|passwd|secret|api_?key|access_token|auth_token)\b\s*[:=]\s*['\"][^'\"\s]{8,}['\"]"
    ),
}
SECRET_FILE_NAMES = re.compile(r"(^|/)(\.env(\..+)?|id_(rsa|dsa|ecdsa|ed25519)|.+\.(pem|key|p12|pfx))$")


def test_an_archive_member_named_as_a_path_out_of_it_is_refused_and_nothing_is_written(
    warehouse: Settings, clean_mirror: LoopbackMirror, shared_data: Path, tmp_path: Path
) -> None:
    original = (shared_data / VOTES_17).read_bytes()
    clean_mirror.state.overrides[VOTES_17] = rewrite_zip(original, added={PATH_OUT_OF_THE_ARCHIVE: b"{}"})
    before = PublishedState.of(warehouse)

    result = refresh(warehouse)

    assert not result.success
    assert f"unsafe or repeated member name {PATH_OUT_OF_THE_ARCHIVE!r}" in failure_text(result)
    assert PublishedState.of(warehouse) == before
    assert not list(tmp_path.rglob("evil.json"))  # the download cache, where `../..` would land, is in tmp_path
    assert not any((place / "evil.json").exists() for place in (PROJECT_ROOT, PROJECT_ROOT.parent, Path.cwd()))


def _tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    return [PROJECT_ROOT / name for name in listed.decode().split("\0") if name]


def _text(path: Path) -> str | None:
    """A tracked file's text; None for a binary file (or a file deleted but not yet committed)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None


def test_tls_verification_is_never_turned_off() -> None:
    assert TLS_DISABLED.search("requests.get(url, verify" + "=False)")  # the scan finds what it looks for
    offending = [
        f"{path.relative_to(PROJECT_ROOT)}:{line_number}: {line.strip()}"
        for path in _tracked_files()
        if path.suffix in (".py", ".yml", ".yaml", ".toml", ".cfg", ".sh") or path.name == "Makefile"
        for line_number, line in enumerate((_text(path) or "").splitlines(), start=1)
        if TLS_DISABLED.search(line)
    ]
    assert not offending


def secrets_in(text: str) -> list[str]:
    return [kind for kind, pattern in SECRETS.items() if pattern.search(text)]


def test_the_secret_patterns_find_planted_secrets() -> None:
    """The scan below could pass by matching nothing: each pattern must catch a sample."""
    samples = [
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "key = AKIA" + "ABCDEFGHIJKLMNOP",
        "token: ghp_" + "a" * 36,
        "url = https://hooks.slack.com/services/" + "T0001/B0002/abcdef",
        "AIza" + "b" * 35,
        'password = "' + 'hunter2hunter2"',
    ]
    assert [secrets_in(sample) for sample in samples] == [[kind] for kind in SECRETS]


def test_no_secret_is_tracked_by_git() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT)): kinds
        for path in _tracked_files()
        if (kinds := secrets_in(_text(path) or "") + (["secret file"] if SECRET_FILE_NAMES.search(path.name) else []))
    }
    assert not found


def test_values_with_quotes_load_intact(baseline: Path, shared_data: Path) -> None:
    """Bound parameters, not SQL built from values: real titles and sponsors carry apostrophes."""
    with zipfile.ZipFile(shared_data / VOTES_17) as archive:
        titles = {
            name: json.loads(archive.read(name))["scrutin"]["titre"]
            for name in archive.namelist()
            if name.startswith("json/VTAN")
        }
    quoted_titles = {member: title for member, title in titles.items() if "'" in title}
    with (shared_data / POLLS_2027).open(encoding="utf-8-sig", newline="") as handle:
        quoted_sponsors = {row["commanditaire"] for row in csv.DictReader(handle) if "'" in row["commanditaire"]}
    assert quoted_titles and quoted_sponsors

    with duckdb.connect(str(baseline / "nupes.duckdb"), read_only=True) as con:
        loaded_titles = dict(
            con.execute(
                "SELECT source_member, titre FROM raw.an_scrutins WHERE legislature = 17 AND contains(titre, '''')"
            ).fetchall()
        )
        loaded_sponsors = {
            sponsor
            for (sponsor,) in con.execute(
                "SELECT DISTINCT commanditaire FROM raw.polls_presidential_2027 WHERE contains(commanditaire, '''')"
            ).fetchall()
        }
    assert loaded_titles == quoted_titles
    assert loaded_sponsors == quoted_sponsors
