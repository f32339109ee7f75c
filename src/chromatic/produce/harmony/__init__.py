"""Harmony for the chord phase: the chord vocabulary and transition table (``vocab``), Markov
progressions (``progression``), four-voice voicings (``voicing``) and theory scores (``theory``)."""
