"""Link checking: pure judges of download outcomes (see classify.py)."""
