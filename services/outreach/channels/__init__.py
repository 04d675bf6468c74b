"""Channels: how an allowed contact attempt reaches an SMS gateway or a dialer."""
