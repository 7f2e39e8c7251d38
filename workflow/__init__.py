"""Huanjie domain core: rule sets, machines, guards, rounds, persistence adapter and services."""
