"""FSC (Federated Service Connectivity): the Logius FSC Test Suite made executable.

cgconform plays the other Peers of the Group (see docs/fsc-notes.md): it submits and signs
Contracts as other Peers, requests access tokens, calls the Inway as an Outway, and acts as
Manager, Inway and Service for an Outway under test.
"""
