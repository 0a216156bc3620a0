"""Reading NPS answers: scores in digits and words, out of range, not an answer, and the optional comment."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealer.nps.answers import MAX_COMMENT_CHARS, Reading, ScoreAnswer, comment_from, read_score
from dealer.nps.survey import Outcome, answer_step


@pytest.mark.parametrize("text, score", [
    ("9", 9), ("un 9", 9), ("diez", 10), ("9/10", 9), ("le doy un 8", 8), ("0", 0), ("cero", 0), ("uno", 1),
    ("Un 10 👍", 10), ("¡Diez!", 10), ("8 de 10", 8), ("7 sobre 10", 7), ("yo le daría un nueve", 9),
    ("mi calificación es 6", 6), ("pues un 5", 5), ("10/10!!", 10), ("  3 ", 3),
])
def test_a_score_in_digits_or_words_is_read(text, score):
    assert read_score(text) == ScoreAnswer(Reading.SCORE, score)


@pytest.mark.parametrize("text", ["11", "-1", "le doy un 15", "once", "8.5", "100", "9999999999999", "cien"])
def test_a_number_outside_0_to_10_is_out_of_range(text):
    assert read_score(text) == ScoreAnswer(Reading.OUT_OF_RANGE)


@pytest.mark.parametrize("text", [
    "busco un jetta", "a 6 años", "y a 6 años?", "con 50 mil", "el 2", "detalles del 3", "8 o 9", "9 10", "",
    "ok", "sí", "no sé", "hola", "quiero financiar el 1 con 20% a 5 años", "ALM-10023", "😀",
])
def test_anything_else_is_not_an_answer(text):
    assert read_score(text) == ScoreAnswer(Reading.NOT_AN_ANSWER)


@given(st.text())
def test_any_text_reads_without_error_and_a_score_is_0_to_10(text):
    answer = read_score(text)
    assert (answer.score is not None) == (answer.reading is Reading.SCORE)
    assert answer.score is None or 0 <= answer.score <= 10
    comment = comment_from(text)
    assert comment is None or 0 < len(comment) <= MAX_COMMENT_CHARS


@given(st.integers(min_value=0, max_value=10), st.sampled_from(["{}", "un {}", "le doy un {}", "{}/10", "{} de 10"]))
def test_every_score_is_read_in_every_phrasing(score, phrasing):
    assert read_score(phrasing.format(score)) == ScoreAnswer(Reading.SCORE, score)


@given(st.integers().filter(lambda number: not 0 <= number <= 10))
def test_every_other_whole_number_is_out_of_range(number):
    assert read_score(str(number)).reading is Reading.OUT_OF_RANGE


@pytest.mark.parametrize("text", ["no", "nada", "Nada, gracias", "no, todo bien", "ninguna", "nop", "  ", "sin comentarios"])
def test_nothing_to_add_stores_no_comment(text):
    assert comment_from(text) is None


@pytest.mark.parametrize("text", ["que respondan más rápido", "no me gustó la espera", "más autos híbridos"])
def test_a_suggestion_is_kept_as_written(text):
    assert comment_from(text) == text


def test_a_long_comment_is_cut():
    assert len(comment_from("muy " * 600)) == MAX_COMMENT_CHARS


@pytest.mark.parametrize("question, text, reasked, outcome", [
    ("nps_score", "un 9", False, Outcome.SCORED),
    ("nps_score", "11", False, Outcome.REASK),
    ("nps_score", "11", True, Outcome.GAVE_UP),
    ("nps_score", "busco un jetta", False, Outcome.IGNORED),
    ("nps_score", "busco un jetta", True, Outcome.IGNORED),
    ("nps_comment", "nada", False, Outcome.NO_COMMENT),
    ("nps_comment", "más autos híbridos", False, Outcome.COMMENTED),
])
def test_each_answer_leads_to_its_step(question, text, reasked, outcome):
    step = answer_step(question, text, reasked)
    assert step.outcome is outcome
    assert (step.score == 9) == (outcome is Outcome.SCORED)
    assert (step.reply is not None) == (outcome in (Outcome.GAVE_UP, Outcome.NO_COMMENT, Outcome.COMMENTED))
