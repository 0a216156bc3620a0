"""How a conversation moves: what a form does with a message that does not answer it, repeated replies."""
