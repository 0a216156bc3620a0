import pytest

from dealer.knowledge.branches import coordinates_in, load_branches, location_message, nearest_branch, parse_coordinates
from dealer.knowledge.presenter import nearest_branch_text


def test_every_branch_has_an_address_hours_and_a_place_in_mexico():
    branches = load_branches()
    assert len(branches) >= 5
    for branch in branches:
        assert branch.address and branch.hours and branch.phone
        assert 14 < branch.latitude < 33 and -118 < branch.longitude < -86


@pytest.mark.parametrize("latitude, longitude, city", [
    (20.6597, -103.3496, "Guadalajara"),  # Guadalajara's cathedral
    (25.6866, -100.3161, "Monterrey"),   # Monterrey's Macroplaza
    (19.4326, -99.1332, "Ciudad de México"),  # the Zócalo
])
def test_the_nearest_branch_is_in_the_customers_city(latitude, longitude, city):
    branch, distance = nearest_branch(latitude, longitude)
    assert branch.city == city and distance < 25
    text = nearest_branch_text(branch, distance)
    assert branch.address in text and "km" in text


@pytest.mark.parametrize("latitude, longitude", [("abc", "1"), ("91", "0"), ("nan", "0"), ("0", "inf")])
def test_impossible_coordinates_are_refused(latitude, longitude):
    assert parse_coordinates(latitude, longitude) is None


def test_a_location_travels_to_rasa_as_an_intent_with_its_coordinates():
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    text = location_message(20.6597, -103.3496)
    assert text == '/share_location{"latitude": 20.6597, "longitude": -103.3496}'
    parsed = YAMLStoryReader.unpack_regex_message(Message({"text": text}))  # as Rasa reads it, without NLU
    assert parsed.get("intent")["name"] == "share_location"
    assert coordinates_in(parsed.get("entities")) == (20.6597, -103.3496)


@pytest.mark.parametrize("entities", [
    None, [], [{"entity": "latitude", "value": 20.6}], [{"entity": "latitude", "value": "x"},
                                                         {"entity": "longitude", "value": "1"}],
    [{"entity": "latitude", "value": 95}, {"entity": "longitude", "value": 1}], ["not a dict"],
])
def test_entities_without_a_place_on_earth_give_no_coordinates(entities):
    assert coordinates_in(entities) is None
