"""The dealer's domain: catalog, financing, knowledge, leads, the chat model and customer data.

Plain Python with no rasa, rasa_sdk or sanic imports: the actions and the channels are thin adapters over it."""
