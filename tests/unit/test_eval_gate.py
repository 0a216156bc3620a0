"""The evaluation gate and its Markdown summary, over reports shaped like the ones `rasa test` writes."""

import json

from scripts.eval_gate import check, main, report


def _entity(name: str, start: int, end: int, extractor: str = "") -> dict:
    return {"entity": name, "start": start, "end": end, **({"extractor": extractor} if extractor else {})}


def write_reports(folder, macro_f1: float, stories_correct: int, stories_total: int = 3, entity_errors: bool = False):
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
    # Each file lists every extractor's entities of its messages, as `rasa test nlu --successes` writes them.
    (folder / "nlu" / "CatalogEntityExtractor_successes.json").write_text(json.dumps([
        {"text": "busco un mazda a 4 años", "entities": [_entity("make", 9, 14), _entity("term", 17, 23)],
         "predicted_entities": [_entity("make", 9, 14, "CatalogEntityExtractor"),
                                _entity("term", 17, 23, "CatalogEntityExtractor")]},
    ]))
    (folder / "nlu" / "CatalogEntityExtractor_errors.json").write_text(json.dumps([
        # The phone is the contact extractor's: right for the bot, though the catalog extractor did not find it.
        {"text": "mi cel 55 1234 5678", "entities": [_entity("phone", 7, 19)],
         "predicted_entities": [_entity("phone", 7, 19, "ContactEntityExtractor")]},
        *([{"text": "cuentame del equipo", "entities": [],
            "predicted_entities": [_entity("model", 13, 19, "CatalogEntityExtractor")]}] if entity_errors else []),
    ]))
    (folder / "core" / "story_report.json").write_text(json.dumps({"conversation_accuracy": {
        "accuracy": stories_correct / stories_total, "correct": stories_correct, "total": stories_total}}))


def test_a_good_run_passes_and_is_summarised_worst_first(tmp_path):
    write_reports(tmp_path, 0.95, 3)
    assert check(tmp_path) == []
    markdown = report(tmp_path)
    assert "**0.9500**" in markdown and "3 of 3 passed" in markdown
    assert markdown.index("| deny |") < markdown.index("| greet |")  # worst intent first
    assert "| deny | out_of_scope | 2 | nel pastel |" in markdown
    # 6 annotated tokens (make, «4 años», the phone's three), all found by one extractor or the other.
    assert "Entity F1 (micro, all extractors) on the held-out set: **1.0000**" in markdown
    assert "| phone | 1.000 | 1.000 | 1.000 | 3 |" in markdown


def test_low_f1_or_a_failed_story_fails_the_gate(tmp_path):
    write_reports(tmp_path, 0.92, 2)
    problems = check(tmp_path)
    assert any("macro-F1 0.9200" in problem for problem in problems)
    assert any("1 test story failed" in problem for problem in problems)


def test_low_entity_f1_fails_the_gate(tmp_path):
    write_reports(tmp_path, 0.96, 3, entity_errors=True)  # «equipo» read as a model: 6 of 7 predictions right
    assert any("entity F1 0.9231" in problem for problem in check(tmp_path))
    assert "| model | 0.000 | 0.000 | 0.000 | 0 |" in report(tmp_path)


def test_missing_reports_fail_the_gate(tmp_path):
    assert len(check(tmp_path)) == 2


def test_a_failing_gate_still_writes_its_report(tmp_path, monkeypatch):
    write_reports(tmp_path, 0.5, 1)
    monkeypatch.setattr("sys.argv", ["eval_gate", str(tmp_path)])
    assert main() == 1
    assert "**0.5000**" in (tmp_path / "evaluation.md").read_text()
