"""The benchmark: storybot measured against its floor (what discord.py and SQLite cost alone).

`python -m bench --help` for how to run it; README's Performance section for what it found.
"""
