"""Training segments: boundaries from LRC and structure, MIDI/audio slicing, the parallel build."""
