"""Checks of `logboek-dataverwerkingen`: the Logboek itself. cgconform writes records over the
transports the Logboek speaks and reads them back through its read extension."""
