"""util functions."""

__all__: list[str] = []
