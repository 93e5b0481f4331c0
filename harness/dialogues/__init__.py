"""Scripted dialogue tests: the YAML format, the checks of each turn, the runner and the reports (text and JUnit)."""
