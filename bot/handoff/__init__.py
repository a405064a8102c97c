"""Hand-off to a human agent: office hours, the hand-off state machine and its store, the
callback tickets, delivering agent messages to the citizen's channel, and Rasa's HTTP API."""
