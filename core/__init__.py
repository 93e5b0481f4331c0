"""The shared vocabulary every layer speaks: settings, taxonomy, dialogue state, product record, formatting, errors. Imports nothing of the project but itself."""
