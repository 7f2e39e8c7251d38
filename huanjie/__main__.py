"""Allow `python -m huanjie`."""
from .cli import main

main()
