"""The evaluation gate and its Markdown summary, over reports shaped like the ones `rasa test` writes."""

import json

from scripts.eval_gate import check, main, report


def write_reports(folder, macro_f1: float, stories_correct: int, stories_total: int = 3, entity_f1: float = 0.97):
    (folder / "nlu").mkdir()
    (folder / "core").mkdir()
    (folder / "nlu" / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 10, "confused_with": {}},
        "deny": {"precision": 0.8, "recall": 1.0, "f1-score": 0.889, "support": 8, "confused_with": {}},
        "accuracy": 0.94,
        "macro avg": {"precision": 0.9, "recall": 0.95, "f1-score": macro_f1, "support": 18},
        "weighted avg": {"precision": 0.9, "recall": 0.95, "f1-score": macro_f1, "support": 18},
    }))
    (folder / "nlu" / "intent_errors.json").write_text(json.dumps([
        {"text": "nel pastel", "intent": "deny", "intent_prediction": {"name": "out_of_scope", "confidence": 1.0}},
        {"text": "nones", "intent": "deny", "intent_prediction": {"name": "out_of_scope", "confidence": 0.8}},
        {"text": "buenas buenas", "intent": "greet", "intent_prediction": {"name": "thank", "confidence": 0.6}},
    ]))
    (folder / "nlu" / "CatalogEntityExtractor_report.json").write_text(json.dumps({
        "make": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 10},
        "term": {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 4},
        "micro avg": {"precision": 0.98, "recall": 0.96, "f1-score": entity_f1, "support": 14},
        "macro avg": {"precision": 1.0, "recall": 0.95, "f1-score": 0.97, "support": 14},
    }))
    (folder / "core" / "story_report.json").write_text(json.dumps({"conversation_accuracy": {
        "accuracy": stories_correct / stories_total, "correct": stories_correct, "total": stories_total}}))


def test_a_good_run_passes_and_is_summarised_worst_first(tmp_path):
    write_reports(tmp_path, 0.95, 3)
    assert check(tmp_path) == []
    markdown = report(tmp_path)
    assert "**0.9500**" in markdown and "3 of 3 passed" in markdown
    assert markdown.index("| deny |") < markdown.index("| greet |")  # worst intent first
    assert "| deny | out_of_scope | 2 | nel pastel |" in markdown
    assert "Entity F1 (micro) on the held-out set: **0.9700**" in markdown
    assert markdown.index("| make |") < markdown.index("| term |")


def test_low_f1_or_a_failed_story_fails_the_gate(tmp_path):
    write_reports(tmp_path, 0.92, 2)
    problems = check(tmp_path)
    assert any("macro-F1 0.9200" in problem for problem in problems)
    assert any("1 test story failed" in problem for problem in problems)


def test_low_entity_f1_fails_the_gate(tmp_path):
    write_reports(tmp_path, 0.96, 3, entity_f1=0.9)
    assert any("entity F1 0.9000" in problem for problem in check(tmp_path))


def test_missing_reports_fail_the_gate(tmp_path):
    assert len(check(tmp_path)) == 2


def test_a_failing_gate_still_writes_its_report(tmp_path, monkeypatch):
    write_reports(tmp_path, 0.5, 1)
    monkeypatch.setattr("sys.argv", ["eval_gate", str(tmp_path)])
    assert main() == 1
    assert "**0.5000**" in (tmp_path / "evaluation.md").read_text()
