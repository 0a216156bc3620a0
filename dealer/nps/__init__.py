"""The NPS survey: reading the customer's answers (answers), storing them (models, store), counting them (metrics)."""
