"""Tests of the model providers against real local HTTP servers."""
