"""Handing a conversation to a person: the hand-off record, staff replies waiting for a REST customer, the team's
summary and when the customer can expect contact."""
