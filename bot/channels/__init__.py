"""Rasa input channels of our own (the WeChat official account) and the channel-agnostic helpers
they use: splitting long replies, numbering buttons as choices, a small key-value store (memory
or Redis) for de-duplication and pending choices. See docs/channels.md."""
