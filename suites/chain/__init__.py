"""once-only-chain: the parking-permit chain as a whole (docs/chain-notes.md)."""
