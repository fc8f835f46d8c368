"""`make docs`: dbt's documentation site, generated offline into warehouse/docs/.

The catalog (column types, row counts) needs a built database. It is read from a copy of the
PUBLISHED warehouse: dbt's profile opens its database read-write, which must never happen to the
file readers use, and the build database may be locked by a running refresh. Publication swaps
the published file in with a rename, so the copy is always one whole publication.

`warehouse/docs/static_index.html` embeds the manifest and catalog: it opens from disk with one
click. `index.html` (with manifest.json and catalog.json beside it) is what `make docs-serve` serves.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orchestration.defs.transform.resources import BUILD_DATABASE_VAR  # noqa: E402
from orchestration.lib.config import DBT_PROJECT_DIR, load_settings  # noqa: E402

SITE_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def generate_docs(published: Path, docs_dir: Path) -> None:
    """Run `dbt docs generate --static` against a scratch copy of `published`; copy the site out."""
    if not published.exists():
        raise SystemExit(f"no published warehouse at {published}: run `make run` first")
    with tempfile.TemporaryDirectory(prefix="nupes-docs-") as scratch_dir:
        scratch = Path(scratch_dir)
        database_copy = scratch / published.name
        shutil.copyfile(published, database_copy)
        env = {**os.environ, "DBT_LOG_PATH": str(scratch / "logs")}
        dbt = Path(sys.executable).with_name("dbt")
        command = [str(dbt), "docs", "generate", "--static", "--target-path", str(scratch / "target")]
        command += ["--vars", json.dumps({BUILD_DATABASE_VAR: str(database_copy)})]
        subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, check=True)
        docs_dir.mkdir(parents=True, exist_ok=True)
        for name in SITE_FILES:
            shutil.copyfile(scratch / "target" / name, docs_dir / name)
    print(f"dbt docs written to {docs_dir}: open {docs_dir / 'static_index.html'} or run `make docs-serve`")


def main() -> int:
    settings = load_settings()
    try:
        generate_docs(settings.warehouse_path, settings.warehouse_dir / "docs")
    except subprocess.CalledProcessError as exc:
        print(f"dbt docs generate failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
