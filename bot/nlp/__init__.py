"""Chinese language processing: input normalisation, the spaCy pipeline, Rasa components."""
