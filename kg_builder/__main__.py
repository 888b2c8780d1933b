"""``python -m kg_builder`` is the ``kg-builder`` command."""

from .cli import main

main()
