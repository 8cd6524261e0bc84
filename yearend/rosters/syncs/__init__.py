"""What surrounds imports that run on their own: sync sources (drop folders), pausing
syncs (by hand or for a reset) with the running import's claim, and held bundles."""
