"""Rasa input channels of our own (the WeChat official account, the guarded REST and widget
channels) and the channel-agnostic helpers they use: the channel edge (what a client's fields may
hold, the trusted origin of a message, signed widget sessions), splitting long replies, numbering
buttons as choices, a small key-value store (memory or Redis) for de-duplication, pending choices
and replay marks. See docs/channels.md."""
