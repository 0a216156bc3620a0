"""Open-ended replies: an OpenAI-compatible chat model grounded on the dealer's knowledge and catalog (pure logic;
actions/fallback_actions.py is the Rasa adapter)."""
