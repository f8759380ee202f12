"""The numeric core of DeltaFlow: pure numpy, no web layer."""
