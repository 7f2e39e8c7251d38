"""Benchmarks at national scale (120,000 communities on PostgreSQL); each module runs with one command."""
