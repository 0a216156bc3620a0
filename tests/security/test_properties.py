"""Property-based tests over every parser that reads what customers (or a model) write: amounts, catalog queries,
financing messages, WhatsApp form bodies, seller and REST bodies, tool arguments, the reply guard, text hygiene.
No exception may escape; a few invariants hold.

`make fuzz` runs the same properties with many more examples (HYPOTHESIS_PROFILE=fuzz, bounded to about a minute).
"""

from __future__ import annotations

import json
import os
import unicodedata
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.http_input import BadRequest
from connectors.rest import parse_rest_payload
from connectors.seller import parse_payload
from connectors.whatsapp_messages import InboundMessage, render_replies, split_text
from dealer.amounts import find_amounts, spell_out_digits, words_to_number
from dealer.catalog.navigation import StockIdFormat
from dealer.catalog.query import CarFilters, apply_query, parse_query
from dealer.customer_profile import clean_profile_name
from dealer.financing.plans import FinancingTerms
from dealer.financing.reading import parse_term_years, read_down_payment, read_financing_message
from dealer.llm.grounding import GroundedFacts, claims, ungrounded_claim
from dealer.llm.tools import CatalogTools
from dealer.text import clean_text

settings.register_profile("default", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Spanish amounts and car talk mixed with anything: digits, separators, number words, controls, bidi, surrogates.
VOCABULARY = ["mil", "millones", "un", "una", "diez", "cien", "ciento", "veinte", "cuarto de millón", "medio",
              "por ciento", "%", "$", "k", "pesos", "mxn", "usd", "dólares", "años", "meses", "km", "enganche",
              "a", "de", "y", "1,000", "50.000", "1e999", "9" * 60, "2019", "cx-5", "mazda", "aveo", "ALM-10001",
              "\x00", "\u202e", "\ud800", "\n", "-", ".", ",", " "]
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=8), max_size=40).map(" ".join),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)


@given(TEXT)
def test_amounts_never_raise_and_are_finite(text):
    spell_out_digits(text)
    for amount in find_amounts(text):
        assert amount.value.is_finite() and amount.value >= 0


@given(st.lists(st.sampled_from(["un", "una", "dos", "diez", "veinte", "cien", "ciento", "mil", "millones", "medio",
                                 "y", "quinientos", "treinta", "otro"]), max_size=12))
def test_number_words_never_raise(words):
    value = words_to_number(words)
    assert value is None or value >= 0


@given(TEXT)
def test_catalog_queries_never_raise_and_the_database_takes_their_filters(repository, text):
    parsed = parse_query(text, repository.name_matcher())
    repository.search(apply_query(parsed, CarFilters()), page=1, page_size=5)


@given(TEXT, st.integers(min_value=1, max_value=10_000_000))
def test_financing_messages_never_raise(text, price):
    read_financing_message(text, StockIdFormat.of(["ALM-10001", "SN1234"]))
    parse_term_years(text)
    written = read_down_payment(text)
    assert written is None or written.pesos(Decimal(price)).is_finite()


@given(st.dictionaries(st.sampled_from(["MessageSid", "SmsSid", "From", "Body", "NumMedia", "MediaContentType0",
                                        "Latitude", "Longitude", "ProfileName", "AccountSid"]), st.text(max_size=200)))
def test_whatsapp_forms_never_raise_and_keep_no_control_characters(form):
    message = InboundMessage.from_form(form)
    for text in (message.body, message.profile_name or ""):
        assert not any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in text)
    assert InboundMessage.from_record(message.sid, message.sender, message.as_record()) == message


@given(st.binary(max_size=2000))
def test_raw_whatsapp_bodies_never_raise(body):
    fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=100)
                  if body.count(b"&") < 100 else [])
    InboundMessage.from_form(fields)


@given(st.dictionaries(st.sampled_from(["Body", "From", "MessageSid"]), st.text(max_size=100)))
def test_encoded_forms_read_back(form):
    fields = dict(parse_qsl(urlencode(form), keep_blank_values=True))
    InboundMessage.from_form(fields)


def _bodies():
    return st.one_of(
        st.binary(max_size=500),
        JSON_VALUES.map(lambda value: json.dumps(value).encode()),
        st.fixed_dictionaries({"msg": JSON_VALUES, "user_id": JSON_VALUES, "sender": JSON_VALUES,
                               "message": JSON_VALUES}).map(lambda value: json.dumps(value).encode()),
        st.integers(min_value=1, max_value=5000).map(lambda n: b'{"msg": "x", "user_id": "y", "n": ' + b"9" * n + b"}"),
        st.integers(min_value=1, max_value=20_000).map(lambda n: b"[" * n + b"]" * n),
    )


@given(_bodies())
def test_seller_and_rest_bodies_are_read_or_refused_with_a_clear_error(body):
    for parse in (parse_payload, parse_rest_payload):
        try:
            first, second = parse(body)
        except BadRequest as problem:
            assert problem.status in (400, 403, 413) and str(problem)
        else:
            assert first and second and clean_text(first) == first and clean_text(second) == second


@given(st.sampled_from(["buscar_autos", "ver_auto", "calcular_financiamiento", "otra"]),
       st.one_of(st.text(max_size=200), JSON_VALUES.map(json.dumps),
                 st.dictionaries(st.sampled_from(["marca", "modelo", "anio_min", "precio_max", "km_max", "stock_id",
                                                  "enganche", "anios", "carroceria"]), JSON_VALUES).map(json.dumps)))
def test_tool_arguments_never_raise(repository, name, arguments):
    result = json.loads(CatalogTools(repository, FinancingTerms(), GroundedFacts()).run(name, arguments))
    assert isinstance(result, dict)


@given(TEXT)
def test_the_reply_guard_never_raises(repository, text):
    claims(text)
    ungrounded_claim(text, GroundedFacts(), repository.name_matcher())


@given(st.text(max_size=300))
def test_clean_text_is_idempotent_and_leaves_no_control_or_bidi_characters(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert "\x00" not in cleaned and "\u202e" not in cleaned and "\r" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogates
    name = clean_profile_name(text)
    assert name is None or (0 < len(name) <= 40 and name == name.strip())


@given(st.lists(st.fixed_dictionaries({"text": st.text(max_size=2000)}), max_size=4), st.text(max_size=5000))
def test_replies_always_fit_whatsapp(messages, text):
    assert all(len(piece) <= 1600 for piece in split_text(text))
    assert all(len(message.body) <= 1600 for message in render_replies(messages).messages)
