from __future__ import annotations

import numpy as np
from symusic import Note

from chromatic.music.midi import add_track, new_score
from chromatic.music.render import render_score


def test_fluidsynth_renders_notes_where_they_are():
    s = new_score(120)
    tr = add_track(s, "piano", program=0)
    tr.notes.append(Note(time=960, duration=480, pitch=60, velocity=110))  # 1.0-1.5 s
    drums = add_track(s, "drums", is_drum=True)
    drums.notes.append(Note(time=2880, duration=60, pitch=38, velocity=110))  # 3.0 s
    audio = render_score(s, sample_rate=16000, duration=4.0)
    assert audio.shape == (64000,) and audio.dtype == np.float32
    rms = lambda a, b: float(np.sqrt(np.mean(audio[int(a * 16000):int(b * 16000)] ** 2)))  # noqa: E731
    assert rms(0.0, 0.9) < 1e-4  # silence before the first note
    assert rms(1.0, 1.4) > 1e-3
    assert rms(3.0, 3.3) > 1e-3
    again = render_score(s, sample_rate=16000, duration=4.0)
    np.testing.assert_array_equal(audio, again)  # deterministic
