"""The turn: pipeline.py runs understand → decide → act → respond → record in one transaction; bootstrap.py builds every part once per process."""
