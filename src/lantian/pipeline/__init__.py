"""Orchestration: readers and stores to computations."""
