"""The privacy notices' words, one module per wording, kept word for word as people saw them (notices.py names
their versions). A wording once shown is never edited: a change is a new module."""
