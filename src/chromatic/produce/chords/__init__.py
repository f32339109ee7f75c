"""The chord phase's vocabulary: chord symbols and transition table (``vocab``), Markov
progressions (``progression``), four-voice voicings (``voicing``) and theory scores (``theory``)."""
