"""Arrangement: the production plan, assembly of approved loops, the audio preview, the bootstrap manifest."""
