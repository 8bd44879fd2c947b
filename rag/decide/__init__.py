"""The decision: answer, or decline and say why, over explicit signals (gate.py)."""
