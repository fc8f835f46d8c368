"""A chat webhook on 127.0.0.1 that keeps what it is sent, and the daemon's part of an alert."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from orchestration.definitions import defs
from orchestration.defs.resources import WarehouseSettings
from orchestration.lib.config import Settings


class WebhookCatcher(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, str]]  # set on the per-server subclass

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def loopback_webhook() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """The webhook's URL and the list of JSON bodies posted to it, while the block runs."""
    received: list[dict[str, str]] = []
    handler = type("Catcher", (WebhookCatcher,), {"received": received})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def evaluate_success_alert(instance: dg.DagsterInstance, run_id: str, settings: Settings) -> None:
    """What the daemon does once a run succeeded: the success alert sensor, on the run's own event,
    with these settings (their alert URL)."""
    (success,) = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_SUCCESS).records
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_quarantined_members",
        dagster_event=success.event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run_id),
        resources={"settings": WarehouseSettings.of(settings)},
    )
    defs.resolve_sensor_def("alert_on_quarantined_members")(context)
