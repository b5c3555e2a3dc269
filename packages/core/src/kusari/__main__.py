"""``python -m kusari``: print the runtime information."""

from kusari._runtime_info import print_runtime_info

print_runtime_info()
