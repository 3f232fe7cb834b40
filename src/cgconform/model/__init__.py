"""The engine's vocabulary: verdicts and how they combine, the outcomes a check raises,
requirements and profiles (the catalogue), and the target configuration.

Imports nothing else of cgconform: every other part of the engine builds on this one.
"""
