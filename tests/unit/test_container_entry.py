"""The image's entry point (scripts/container.py): its commands and the health check the engine runs."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scripts import container


class _Status(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - the name http.server expects
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture()
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    httpd.status = 200
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_an_unknown_command_prints_the_usage(capsys):
    assert container.main(["shell"]) == 2
    assert container.main([]) == 2
    assert "rasa|actions|health" in capsys.readouterr().err


def test_healthy_only_when_the_server_it_started_answers_200(tmp_path, monkeypatch, server):
    monkeypatch.setattr(container, "HEALTH_URL_FILE", tmp_path / "health-url")
    assert container.main(["health"]) == 1  # not started yet: no URL recorded
    (tmp_path / "health-url").write_text(f"http://127.0.0.1:{server.server_port}/health\n")
    assert container.main(["health"]) == 0
    server.status = 503
    assert container.main(["health"]) == 1
    server.shutdown()
    server.server_close()
    assert container.main(["health"]) == 1


def test_empty_variables_do_not_reach_the_server(monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    environment = container._environment()
    assert "PROMETHEUS_MULTIPROC_DIR" not in environment and "OPENAI_BASE_URL" not in environment
    assert environment["SANIC_HOST"] == "0.0.0.0" and environment["RASA_PORT"]
