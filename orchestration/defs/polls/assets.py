"""One Dagster asset per poll feed, built from its declaration (lib/poll_feeds.py)."""

from orchestration.defs.sources import build_source_asset
from orchestration.lib.poll_feeds import POLL_FEEDS

poll_feed_assets = [build_source_asset(feed) for feed in POLL_FEEDS]
