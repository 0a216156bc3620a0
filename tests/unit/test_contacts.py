"""Contact details as customers type them: Mexican phones to E.164, emails, names, yes/no."""

import pytest

from dealer.contacts import (
    clean_name,
    contact_mentions,
    email_in_text,
    introduced_name,
    is_contact_only,
    normalize_phone,
    phone_from_sender,
    phone_in_text,
    read_yes_no,
    valid_email,
)


@pytest.mark.parametrize("typed, e164", [
    ("55 1234 5678", "+525512345678"),
    ("(55) 1234-5678", "+525512345678"),
    ("+52 1 55 1234 5678", "+525512345678"),  # the retired mobile «1»
    ("044 55 1234 5678", "+525512345678"),  # the retired local mobile prefix
    ("5215512345678", "+525512345678"),
    ("33.1234.5678", "+523312345678"),
    ("+1 415 555 2671", "+14155552671"),
    ("whatsapp:+5215512345678", "+525512345678"),
])
def test_phones_are_normalised_to_e164(typed, e164):
    assert normalize_phone(typed) == e164


@pytest.mark.parametrize("typed", [
    "123", "", "   ", "55 1234", "abcdefghij", "55 1234 5678 9999 0000 1111 2222 3333 44", None, 5512345678,
    "1234567890", "55-1234-567x", "0000000000",
])
def test_bad_phones_are_refused(typed):
    assert normalize_phone(typed) is None


def test_a_phone_inside_a_sentence_and_the_whatsapp_sender():
    assert phone_in_text("mi cel es 55 1234 5678 gracias") == "+525512345678"
    assert phone_in_text("quiero un jetta 2019 de 250 mil") is None
    assert phone_from_sender("whatsapp:+5215512345678") == "+525512345678"
    assert phone_from_sender("ana-rest") is None


@pytest.mark.parametrize("typed, address", [
    ("ana.lopez@gmail.com", "ana.lopez@gmail.com"),
    (" Ana@Gmail.COM ", "Ana@gmail.com"),
    ("maria_perez@yahoo.com.mx", "maria_perez@yahoo.com.mx"),
])
def test_emails(typed, address):
    assert valid_email(typed) == address


@pytest.mark.parametrize("typed", ["ana@", "@gmail.com", "ana gmail.com", "ana@gmail", "a..b@gmail.com", "x" * 300,
                                   None, 3])
def test_bad_emails(typed):
    assert valid_email(typed) is None


def test_an_email_inside_a_sentence():
    assert email_in_text("te dejo mi correo: pedro@empresa.mx porfa") == "pedro@empresa.mx"


@pytest.mark.parametrize("typed, name", [
    ("me llamo ana lópez", "Ana López"),
    ("Soy Roberto", "Roberto"),
    ("mi nombre es Juan Pérez", "Juan Pérez"),
    ("María José", "María José"),
])
def test_names(typed, name):
    assert clean_name(typed) == name


@pytest.mark.parametrize("typed", ["5512345678", "no", "quiero un jetta", "", "!!!", "a b c d e f g", None,
                                   "<script>alert(1)</script>"])
def test_not_names(typed):
    assert clean_name(typed) is None


@pytest.mark.parametrize("typed, answer", [
    ("sí", True), ("Si claro", True), ("va", True), ("ok", True), ("no", False), ("No gracias", False),
    ("mejor no", False), ("quién sabe", None), ("", None), (None, None),
])
def test_yes_no(typed, answer):
    assert read_yes_no(typed) is answer


@pytest.mark.parametrize("typed, found, only", [
    ("marcame al 33 9876 5432", [("phone", "+523398765432")], True),
    ("mi correo es sofi.rmz@outlook.com", [("email", "sofi.rmz@outlook.com")], True),
    ("mi cel 5512345678 y mi mail ana@x.mx", [("phone", "+525512345678"), ("email", "ana@x.mx")], True),
    ("50 mil, mi cel es 5512345678", [("phone", "+525512345678")], False),  # also a down payment
    ("busco un jetta 2019 de 250 mil", [], False),
    ("cp 06700", [], False),
])
def test_contact_mentions_and_messages_that_are_only_a_contact(typed, found, only):
    mentions = contact_mentions(typed)
    assert [(m.entity, m.value) for m in mentions] == found
    assert all(typed[m.start:m.end].strip() for m in mentions)
    assert is_contact_only(typed, mentions) is only


@pytest.mark.parametrize(("typed", "name"), [
    ("me llamo Sofia Ramirez", "Sofia Ramirez"),
    ("hola, mi nombre es ana lópez", "Ana López"),
    ("soy Miguel Angel", "Miguel Angel"),
    ("soy de Monterrey", None),  # where from, not who
    ("soy nuevo en esto", None),
    ("busco un aveo", None),
    ("me llamo 5512345678", None),
    (None, None),
])
def test_a_message_that_only_introduces_the_writer(typed, name):
    assert introduced_name(typed) == name
