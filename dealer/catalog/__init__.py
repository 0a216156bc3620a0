"""The dealer's car catalog: storage, import, search, fuzzy matching and Spanish presentation.

Pure logic with no Rasa imports; the Rasa actions in `actions.catalog_actions` adapt it.
"""
