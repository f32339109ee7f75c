"""The style table: what a proposal's genre, mood and tempo make the music sound like."""

from chromatic.produce.style.table import Style, content_seed, load_table, style_for

__all__ = ["Style", "content_seed", "load_table", "style_for"]
