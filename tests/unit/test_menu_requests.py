"""Which messages ask for the help menu and nothing else."""

from __future__ import annotations

import pytest

from dealer.dialogue.menu_requests import asks_for_the_menu


@pytest.mark.parametrize(("text", "menu"), [
    ("ayuda", True),
    ("ocupo ayuda!!", True),
    ("menú porfa", True),
    ("me das las opciones?", True),
    ("ayuda con el financiamiento", False),  # a financing question
    ("necesito ayuda para vender mi carro", False),  # a trade-in
    ("gracias por tu ayuda", False),
    ("quiero ver mas opciones", False),  # the next page
    ("hola", False),
    ("", False),
])
def test_a_request_for_the_menu_and_nothing_else(text, menu):
    assert asks_for_the_menu(text) is menu
