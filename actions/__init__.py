"""Rasa SDK action server package: custom actions and the pure logic they adapt."""
