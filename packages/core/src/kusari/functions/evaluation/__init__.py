"""evaluation functions."""

__all__: list[str] = []
