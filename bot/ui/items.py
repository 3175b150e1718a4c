"""What every stateful button and menu of the bot shares."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.errors import UserFacingError, report_error

if TYPE_CHECKING:
    from bot.app import StoryBot

MAX_ID = 2**63 - 1
"""The largest number a custom_id or a menu value may carry: Discord's ids and the library's
fit in a signed 64-bit integer, and so does everything SQLite stores."""
_NUMBER = re.compile(r"\d{1,19}")
OUT_OF_DATE = "That button is out of date: run the command again for a fresh one."


def number(text: str, *, at_most: int = MAX_ID) -> int:
    """A number carried by a custom_id or a menu value, checked: anything else (negative, too
    large, not a number, as only a forged interaction can send) gets a polite refusal."""
    if not _NUMBER.fullmatch(text) or int(text) > at_most:
        raise UserFacingError(OUT_OF_DATE)
    return int(text)


class StatefulItem:
    """Mixin for `DynamicItem`s whose state lives in their `custom_id`.

    The template's named groups are the item's attributes, given to the constructor as
    keywords: those annotated `int` are checked numbers (see `number`), the rest text. A
    custom_id that does not hold such numbers gets a polite refusal instead of the item. A group
    the template makes optional (a trailing `(?::(?P<part>[^:]+))?`, added after messages
    without it were sent) is always written, and where a custom_id has none the attribute keeps
    its class default. Errors reach the user through the one error handler: a dynamic item's
    errors would otherwise only be logged.
    """

    _numbers: frozenset[str] = frozenset()
    """The attributes annotated `int`: what `from_custom_id` checks as numbers."""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        cls._numbers = frozenset(
            name
            for klass in cls.__mro__
            for name, kind in vars(klass).get("__annotations__", {}).items()
            if kind in ("int", int)
        )

    def __init__(self, item: discord.ui.Item[Any], **state: int | str):
        super().__init__(item)  # type: ignore[call-arg]  # DynamicItem's, in the final class
        for name, value in state.items():
            setattr(self, name, value)

    @classmethod
    def button(
        cls,
        label: str,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        disabled: bool = False,
        **state: int | str,
    ) -> Self:
        """The item as a button carrying `state` in its custom_id."""
        item: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, custom_id=cls._custom_id(state), disabled=disabled
        )
        return cls(item, **state)

    @classmethod
    def select(
        cls,
        options: list[discord.SelectOption],
        *,
        placeholder: str | None = None,
        **state: int | str,
    ) -> Self:
        """The item as a menu of `options` carrying `state` in its custom_id."""
        item: discord.ui.Select[Any] = discord.ui.Select(
            options=options, placeholder=placeholder, custom_id=cls._custom_id(state)
        )
        return cls(item, **state)

    @classmethod
    def _custom_id(cls, state: dict[str, int | str]) -> str:
        """`state` written into the item's template: its prefix, then each group's value."""
        template: re.Pattern[str] = cls.__discord_ui_compiled_template__  # type: ignore[attr-defined]
        prefix = template.pattern.split("(", 1)[0]
        names = sorted(template.groupindex, key=template.groupindex.__getitem__)
        values = [str(state[name]) for name in names]
        return prefix + ":".join(values)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Any:
        state: dict[str, int | str] = {}
        for name, value in match.groupdict().items():
            if value is None:
                continue  # an optional group an older message's custom_id lacks
            if name not in cls._numbers:
                state[name] = value
            elif _NUMBER.fullmatch(value) and int(value) <= MAX_ID:
                state[name] = int(value)
            else:
                return OutOfDate(item)
        return cls(item, **state)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        raise NotImplementedError


class Owned(StatefulItem):
    """An item only the person it was made for may use (their listing, their places, their
    subscriptions); anyone else is told so, and nothing happens."""

    owner: int

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner:
            return True
        await self.refuse(interaction)
        return False

    async def refuse(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(
            "That menu is someone else's: run the command yourself for your own.", ephemeral=True
        )


class OutOfDate(discord.ui.DynamicItem[discord.ui.Item[Any]], template=r".*"):
    """Stands in for an item whose custom_id carries what no message of the bot ever did; it
    is never registered, only made by `StatefulItem.from_custom_id`."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await report_error(interaction, UserFacingError(OUT_OF_DATE))


class ReportingModal(discord.ui.Modal):
    """A modal whose errors reach the user through the one error handler."""

    async def on_error(  # type: ignore[override]  # a modal's errors come without an item
        self, interaction: discord.Interaction[Any], error: Exception
    ) -> None:
        await report_error(interaction, error)


class StatelessView(discord.ui.View):
    """A view made only of `StatefulItem`s, finished from the start.

    discord.py dispatches those items by their `custom_id` on whatever message they are, so
    it need not keep the view: a kept ephemeral view would otherwise wait 15 minutes in memory
    for its timeout, one for every page a reader opens.
    """

    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.stop()


class StatelessLayout(discord.ui.LayoutView):
    """A layout (components v2) of `items`, text and `StatefulItem`s only, finished from the
    start for the same reason as `StatelessView`: nothing in it needs the view kept."""

    def __init__(self, *items: discord.ui.Item[Any]) -> None:
        super().__init__(timeout=None)
        for item in items:
            self.add_item(item)
        self.stop()
