"""Song proposals from the concept agent: the one reader used by chain, produce and score."""
