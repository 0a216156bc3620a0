"""Financing plans: monthly payments, down-payment rules and the phrases customers use for them."""
