"""Superset's configuration for the warehouse's dashboard (read by Superset through SUPERSET_CONFIG_PATH).

Everything Superset writes lives in one local folder out of git, NUPES_BI_HOME (`make bi` uses
warehouse/superset/): its metadata database (SQLite: one analyst's server, no service to run), and
the secret key that signs sessions and encrypts the stored connection, generated once by
scripts/bi.py and never committed. The warehouse itself is only ever read, through the read-only
connection the dashboard's database export declares.
"""

import os
from pathlib import Path

BI_HOME = Path(os.environ["NUPES_BI_HOME"])

SECRET_KEY = (BI_HOME / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{BI_HOME / 'superset.db'}"
DATA_DIR = str(BI_HOME / "data")

# Charts query the published file afresh: a cached result would outlive a new publication.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

# Superset's default content security policy lets the page load images and tiles from a few hosts,
# among them a tracking pixel every page requests. Keep only the page's own origin and the
# keywords and schemes ('self', 'unsafe-inline', blob:, data:): the dashboard makes no request
# beyond the server, which an offline machine needs and a private warehouse wants.
from superset.config import TALISMAN_CONFIG as _DEFAULT_TALISMAN_CONFIG  # noqa: E402


def _own_origin_only(sources: str | list[str]) -> str | list[str]:
    if isinstance(sources, str):
        return sources
    return [source for source in sources if source.startswith("'") or source.endswith(":")]


TALISMAN_CONFIG = {
    **_DEFAULT_TALISMAN_CONFIG,
    "content_security_policy": {
        directive: _own_origin_only(sources)
        for directive, sources in _DEFAULT_TALISMAN_CONFIG["content_security_policy"].items()
    },
}
