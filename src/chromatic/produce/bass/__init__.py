"""Bass lines: chord-tone step templates in several styles."""
