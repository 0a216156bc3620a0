"""Test support: process control for the bot's servers and the local stand-ins (chat model, Twilio API,
webhook receivers, the WhatsApp channel alone) used by the tests and the benchmark."""
