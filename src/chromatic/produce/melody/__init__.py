"""Melody: contours, phrasing against lyrics, singers and their ranges, lyrics files."""
