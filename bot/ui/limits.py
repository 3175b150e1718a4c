"""Discord's limits on what a message may hold, named once (from Discord's API reference)."""

from __future__ import annotations

MESSAGE_CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000
"""All of an embed's texts together."""
BUTTON_LABEL = 80
BUTTONS_PER_MESSAGE = 25
"""Five rows of five."""
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_VALUE = 100
OPTION_DESCRIPTION = 100
CHOICES = 25
"""Suggestions an autocomplete may offer."""
CHOICE_NAME = 100
CHOICE_VALUE = 100
LAYOUT_TEXT = 4000
"""All the text displays of a message in Discord's newer layout together."""
UPLOAD_BYTES = 10 * 2**20
"""The largest file a bot's message may carry: 10 MiB (the API reference's "Uploading Files";
an interaction's `attachment_size_limit` says the same where no boost raises it)."""
