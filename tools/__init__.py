"""Operator tools: the live summary, demo reset."""
