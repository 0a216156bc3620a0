"""Leads for the sales team: stored first, then announced to a webhook by a background worker."""
