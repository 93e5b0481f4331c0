"""The agent desk: agent accounts, takeover and hand-back, transcripts, reply feedback and the console's view of a dialogue."""
