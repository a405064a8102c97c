"""The project's own web app (Sanic): the agents' assist desk, the case-push API, the widget demo
page and health/metrics endpoints. Each part is a Blueprint in its own module; `create_app`
assembles them. Started by `gongkai run` next to the Rasa server (`python -m bot.web`)."""
