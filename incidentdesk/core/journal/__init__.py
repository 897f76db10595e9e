"""The journal: events, ids and clocks, the fold, what a peer may send."""
