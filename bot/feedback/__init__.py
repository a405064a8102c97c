"""Getting better every week: citizens' feedback (有帮助/没帮助, 好差评), the review queue of
questions the assistant could not answer well, and the analytics the desk shows (docs/review.md)."""
