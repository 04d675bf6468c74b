"""The production clock: publishes the wall-clock time as clock.ticked events."""
