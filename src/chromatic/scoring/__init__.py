"""The ChromaticScorer: the production pipeline's fitness function, on onnxruntime alone.

MIDI-only scoring imports numpy, symusic and onnxruntime and nothing heavier: text and audio
encoders (torch + transformers, librosa) load the first time a text or audio input needs them.
"""

from chromatic.scoring.scorer import ChromaticScorer, ScorerError, ScoreResult

__all__ = ["ChromaticScorer", "ScoreResult", "ScorerError"]
