"""Pure story logic: parsing uploads, chapters, pages and excerpts. Never imports discord."""
