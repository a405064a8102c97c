"""Custom actions of 公开助手, served by the action server (`python -m bot.serving.action_server`, which
is rasa_sdk behind the shared secret, with the metrics exporter started in its `main`). One module per
concern; the logic they call lives in the `bot` package. Importing them does no I/O
(tests/integration/startup/test_import_no_io.py)."""
