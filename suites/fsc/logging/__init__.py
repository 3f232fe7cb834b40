"""FSC Test Suite scenarios of FSC Logging: transaction log records at the Inway, the Outway
and the Manager."""
