"""Custom actions of 公开助手, served by `rasa run actions` (rasa_sdk). One module per concern;
the logic they call lives in the `bot` package."""
