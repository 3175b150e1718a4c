"""One feature per extension, each ending in `async def setup(bot)`."""
