"""What the assistant did and how long it took: the per-turn log line (no Rasa imports)."""
