"""Dialogue policies of our own, loaded by rasa_project/config.yml."""
