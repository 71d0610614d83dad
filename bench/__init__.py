"""`make bench`: the booking rush, measured (see docs/performance.md)."""
