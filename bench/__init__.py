"""DeltaFlow's benchmark suite: `python -m bench` measures the engine, the trace, the API and the page side by side."""
