"""Concept-chain tools: shrinkwrap a chain's threads, and feed diversity back to the agent."""
