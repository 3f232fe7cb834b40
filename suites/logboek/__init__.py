"""Checks of the Logboek Dataverwerkingen: the Logboek itself (logboek/) and an application
that writes to it (application/); the parties cgconform plays live in harness/."""
