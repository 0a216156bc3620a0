import pytest

from connectors.whatsapp_messages import (
    MAX_INBOUND_CHARS,
    WHATSAPP_MAX_CHARS,
    InboundMessage,
    OutgoingMessage,
    answer_to_option,
    render_replies,
    split_text,
)

SENTENCE = "El auto tiene garantía de seis meses y devolución en siete días. "


def test_a_short_text_is_one_message():
    assert split_text("  hola  ") == ["hola"]
    assert split_text("   ") == []


def test_a_2000_character_reply_is_cut_at_paragraphs_and_keeps_every_word_in_order():
    paragraphs = [(SENTENCE * 5).strip() for _ in range(6)]
    text = "\n\n".join(paragraphs)
    assert len(text) > 1900
    pieces = split_text(text)
    assert len(pieces) == 2
    assert all(len(piece) <= WHATSAPP_MAX_CHARS for piece in pieces)
    assert all(piece.endswith("días.") for piece in pieces)  # never mid-sentence
    assert "\n\n".join(pieces) == text


def test_a_paragraph_longer_than_the_limit_is_cut_at_sentences_then_words():
    paragraph = (SENTENCE * 40).strip()
    pieces = split_text(paragraph, limit=300)
    assert all(len(piece) <= 300 and piece.endswith("días.") for piece in pieces)
    assert " ".join(pieces) == paragraph
    words = "palabra " * 100
    assert all(len(piece) <= 50 for piece in split_text(words, limit=50))
    assert split_text("x" * 120, limit=50) == ["x" * 50, "x" * 50, "x" * 20]


def test_buttons_become_numbered_options_answered_by_number():
    rendered = render_replies([
        {"text": "Hola"},
        {"text": "¿Qué prefieres?", "buttons": [{"title": "SUV", "payload": "/suv"}, {"title": "Sedán", "payload": "/sedan"}]},
    ])
    assert [message.body for message in rendered.messages] == [
        "Hola\n\n¿Qué prefieres?\n1. SUV\n2. Sedán\nResponde con el número de tu opción.",
    ]
    assert answer_to_option(" 2 ", rendered.options) == "/sedan"
    assert answer_to_option("2.", rendered.options) == "/sedan"
    assert answer_to_option("3", rendered.options) == "3"
    assert answer_to_option("detalles del 2", rendered.options) == "detalles del 2"


def test_an_image_goes_as_media_with_its_text_as_caption_between_the_texts_around_it():
    rendered = render_replies([
        {"text": "Mira"}, {"text": "Así se ve", "image": "https://example.mx/aveo.jpg"}, {"image": "ftp://bad"},
        {"text": "¿Te gusta?"},
    ])
    assert rendered.messages == [
        OutgoingMessage("Mira"), OutgoingMessage("Así se ve", "https://example.mx/aveo.jpg"), OutgoingMessage("¿Te gusta?"),
    ]


def test_paragraphs_rasa_sent_one_by_one_are_joined_into_one_message():
    paragraphs = [{"text": f"Párrafo {number}."} for number in range(5)]
    assert [message.body for message in render_replies(paragraphs).messages] == [
        "\n\n".join(f"Párrafo {number}." for number in range(5))
    ]


def test_twilio_form_fields_become_an_inbound_message():
    message = InboundMessage.from_form({
        "MessageSid": "SM1", "From": "whatsapp:+5215512345678", "Body": " hola ", "NumMedia": "1",
        "MediaContentType0": "image/jpeg", "ProfileName": "Ana",
    })
    assert (message.sid, message.sender, message.body, message.media_types) == (
        "SM1", "whatsapp:+5215512345678", "hola", ("image/jpeg",))
    assert not message.is_empty and not message.has_location
    assert InboundMessage.from_record("SM1", message.sender, message.as_record()) == message


@pytest.mark.parametrize("form", [{"MessageSid": "SM2", "From": "w", "Body": "  "}, {"NumMedia": "x", "Body": ""}])
def test_an_empty_message_is_recognised(form):
    assert InboundMessage.from_form(form).is_empty


def test_a_huge_body_is_truncated():
    message = InboundMessage.from_form({"MessageSid": "SM3", "From": "w", "Body": "a" * 10_000})
    assert len(message.body) == MAX_INBOUND_CHARS and message.truncated
