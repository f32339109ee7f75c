"""The song header: the facts about a song that every production file repeats at its top.

``review.yml`` (``song:``) and ``production_plan.yml`` (``song:``) both carry the proposal's
title, key, tempo, meter and color and where the proposal is, so a file read on its own says
which song it belongs to. One type for both; a leaf module (pydantic only), so the review and
the plan readers import it without importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from chromatic.proposals.reader import Proposal


class SongHeader(BaseModel):
    """As written under ``song:``; extra keys a human adds are kept."""

    model_config = ConfigDict(extra="allow")
    title: str
    key: str
    bpm: float
    time_signature: str
    color: str
    proposal: str


def header_facts(proposal: Proposal, proposal_ref: str) -> dict:
    """A ``song:`` mapping for a file that finds the proposal at ``proposal_ref`` (relative to
    the file: "proposal.yml" beside the plan, "../proposal.yml" from a phase's review)."""
    return {
        "title": proposal.title,
        "key": str(proposal.key),
        "bpm": proposal.bpm,
        "time_signature": str(proposal.time_signature),
        "color": proposal.color.name,
        "proposal": proposal_ref,
    }
