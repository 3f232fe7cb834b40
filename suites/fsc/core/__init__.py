"""Checks of FSC Core's and FSC Logging's own normative sentences that no FSC Test Suite
scenario covers (catalogues profiles/standards/FSC-Core-1.1-b2c6aba.yaml and
FSC-Logging-1.0.0.yaml; docs/fsc-notes.md §7). One module per part of the texts; each check
names the sentence it decides and plays the other Peers through suites/fsc/harness."""
