"""`make compare` end to end: the trained model against itself replays every reference conversation through the
real servers and reports no change."""

import json

import pytest

from scripts import compare
from testing.servers import DEFAULT_MODEL

pytestmark = pytest.mark.integration


def test_the_model_compared_with_itself_reports_no_change(tmp_path):
    code = compare.main(["--old", str(DEFAULT_MODEL), "--new", str(DEFAULT_MODEL),
                         "--tracker-store", f"sqlite:///{tmp_path / 'none.db'}", "--output", str(tmp_path)])
    result = json.loads((tmp_path / "compare.json").read_text())
    assert code == 0
    assert len(result["conversations"]) == len(compare.reference_conversations())
    assert result["changed"] == 0 and result["regressions"] == 0, (tmp_path / "compare.md").read_text()
    assert all(c["old_succeeded"] for c in result["conversations"])  # every reference conversation is understood
    assert "regressions (succeeded before, fail now): **0**" in (tmp_path / "compare.md").read_text()


def test_missing_models_are_explained(tmp_path, capsys):
    assert compare.main(["--old", str(tmp_path / "nope.tar.gz"), "--new", str(DEFAULT_MODEL)]) == 2
    assert "no model at" in capsys.readouterr().err
