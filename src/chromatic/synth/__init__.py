"""Synthesis of the example catalog's media: MIDI parts that follow each manifest, rendered stems and mixes."""
