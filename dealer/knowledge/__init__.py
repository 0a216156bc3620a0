"""The dealer's own knowledge: branches (data/knowledge/branches.yml) and topics (data/knowledge/*.md)."""
