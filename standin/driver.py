"""The test driver: people using the bot's commands, buttons, selects and modals.

Every action sends the bot a real INTERACTION_CREATE through the stand-in's gateway and
returns a `Reply` once the bot has answered as the person would see it. What a person
could not do in Discord's client (an unknown option, a command they cannot see, a
disabled button) fails the test at once with an AssertionError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from standin.limits import BUTTON, STRING_SELECT, TEXT_INPUT, walk_components
from standin.world import ALL_PERMISSIONS, Channel, Guild, Role, User, World, role_payload

if TYPE_CHECKING:
    from standin.server import Attachment, Interaction, Message, Standin

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUBCOMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = (
    3, 4, 5, 6, 7, 8, 9, 10, 11,
)  # fmt: skip
Where = str | Channel | None


class Reply:
    """What a person sees after acting: a message, a modal or choices, and follow-ups.

    `message` is the new message for a command (or a click answered with a new message),
    and the clicked message itself for a click answered by updating it. A deferred answer
    (type 5 or 6) counts as given once the bot edits that message or sends a follow-up.
    """

    def __init__(self, person: Person, record: Interaction) -> None:
        self.person = person
        self.record = record

    @property
    def message(self) -> Message | None:
        return self.record.original

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def ephemeral(self) -> bool:
        return bool(self.message and self.message.ephemeral)

    @property
    def text(self) -> str:
        return self.message.text if self.message else ""

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.record.modal

    @property
    def followups(self) -> list[Message]:
        return self.record.followups

    async def followup(self, index: int = 0) -> Message:
        """The follow-up number `index`, waiting for it if the bot has not sent it yet."""
        followups = self.record.followups
        what = f"follow-up #{index} to {self.record.label}"
        return await self.person.standin.until(
            lambda: followups[index] if len(followups) > index else None, what
        )

    async def click(self, button: str, *, as_user: Person | None = None) -> Reply:
        return await (as_user or self.person).click(self._message(), button)

    async def select(
        self, *choices: str, custom_id: str | None = None, as_user: Person | None = None
    ) -> Reply:
        return await (as_user or self.person).select(self._message(), *choices, custom_id=custom_id)

    async def submit_modal(self, values: dict[str, str | list[str]]) -> Reply:
        return await self.person.submit_modal(self, values)

    def _message(self) -> Message:
        assert self.message, f"the bot answered {self.record.label} without a message"
        return self.message


class Person:
    """Someone in the world who uses the bot, by default in the guild `guild`."""

    def __init__(self, standin: Standin, user: User, guild: Guild | None) -> None:
        self.standin = standin
        self.user = user
        self.guild = guild

    @property
    def name(self) -> str:
        return self.user.name

    async def say(self, text: str, *, where: Where = "general") -> Message:
        """Write a message in a channel or thread of the person's guild, as people do."""
        channel, _ = self._place(where)
        return await self.standin.post_as(self.user, channel, text)

    async def slash(self, command: str, *, where: Where = "general", **options: Any) -> Reply:
        """Run `/command` ("daily set" for a subcommand) with options by name.

        `where` is a channel name in the person's guild, a Channel (a DM or group DM between
        users too, from `World.private_channel`), or None/"dm" for DMs with the bot.
        """
        channel, guild = self._place(where)
        data, owners = self._command_data(command, channel, guild, options)
        record = await self.standin.interact(
            APPLICATION_COMMAND, self.user, channel, guild, data, label=f"/{command}",
            owners=owners,
        )  # fmt: skip
        return await self._reply(record)

    async def autocomplete(
        self, command: str, option: str, typed: str, *, where: Where = "general", **options: Any
    ) -> list[dict[str, Any]]:
        """The choices the bot suggests while `typed` is in `option` of `/command`."""
        channel, guild = self._place(where)
        data, owners = self._command_data(command, channel, guild, options, focused=(option, typed))
        record = await self.standin.interact(
            AUTOCOMPLETE, self.user, channel, guild, data, label=f"autocomplete of /{command}",
            owners=owners,
        )  # fmt: skip
        await self._reply(record)
        assert record.choices is not None
        return record.choices

    async def click(self, message: Message, button: str) -> Reply:
        """Click the button with this label, emoji name or custom_id."""
        found = self._component(
            message, f"button {button!r}",
            lambda c: c["type"] == BUTTON
            and button in (c.get("label"), c.get("custom_id"), (c.get("emoji") or {}).get("name")),
        )  # fmt: skip
        assert "custom_id" in found, f"button {button!r} is a link, not something the bot hears"
        data = {"custom_id": found["custom_id"], "component_type": BUTTON}
        return await self._use(message, data, f"click on {button!r}")

    async def select(self, message: Message, *choices: str, custom_id: str | None = None) -> Reply:
        """Choose options (by label or value) in a select menu."""

        def value(select: dict[str, Any], choice: str) -> str | None:
            options = select.get("options") or []
            return next((o["value"] for o in options if choice in (o["label"], o["value"])), None)

        found = self._component(
            message, f"select with {choices}",
            lambda c: c["type"] == STRING_SELECT
            and custom_id in (None, c["custom_id"])
            and all(value(c, choice) is not None for choice in choices),
        )  # fmt: skip
        least, most = found.get("min_values", 1), found.get("max_values", 1)
        assert least <= len(choices) <= most, f"that select takes {least} to {most} choices"
        values = [value(found, choice) for choice in choices]
        data = {"custom_id": found["custom_id"], "component_type": STRING_SELECT, "values": values}
        return await self._use(message, data, f"choice of {choices}")

    async def forge(self, custom_id: str, *values: str, where: Where = "general") -> Reply:
        """A negative test: the component interaction a hostile client could send, with a
        custom_id (and, given `values`, a select menu's values) of its own making, on a message
        of the bot's that seems to carry them. Discord's own client never sends this; the bot
        must still answer politely and change nothing it should not."""
        channel, guild = self._place(where)
        if values:
            options = [{"label": value, "value": value} for value in values]
            component = {"type": STRING_SELECT, "custom_id": custom_id, "options": options}
        else:
            component = {"type": BUTTON, "style": 2, "label": "Forged", "custom_id": custom_id}
        message = self.standin.planted_message(channel, [{"type": 1, "components": [component]}])
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values:
            data["values"] = list(values)
        record = await self.standin.interact(
            COMPONENT, self.user, channel, guild, data, label=f"forged {custom_id!r}",
            source=message,
        )  # fmt: skip
        return await self._reply(record)

    async def submit_modal(self, reply: Reply, values: dict[str, str | list[str]]) -> Reply:
        """Fill in the modal the bot opened in `reply`; fields by custom_id or label."""
        modal = reply.modal
        assert modal, f"the bot opened no modal for {reply.record.label}"
        left = dict(values)
        rows = []
        for row in modal["components"]:
            if row["type"] == 1:
                field = row["components"][0]
                rows.append({"type": 1, "components": [_answer(field, field.get("label"), left)]})
            elif row["type"] == 18:
                rows.append(
                    {"type": 18, "component": _answer(row["component"], row["label"], left)}
                )
        assert not left, f"the modal {modal['title']!r} has no fields {list(left)}"
        opener = reply.record
        data = {"custom_id": modal["custom_id"], "components": rows}
        record = await self.standin.interact(
            MODAL_SUBMIT, self.user, opener.channel, opener.guild, data,
            label=f"modal {modal['title']!r}", source=opener.source, owners=opener.owners,
        )  # fmt: skip
        return await self._reply(record)

    async def _reply(self, record: Interaction) -> Reply:
        standin = self.standin
        deadline = standin.response_deadline
        await standin.until(
            lambda: record.response_type is not None or record.expired,
            f"an answer to {record.label}",
            max(standin.reply_timeout, deadline + 1),
        )
        assert record.response_type is not None, (
            f"the bot did not acknowledge {record.label} within {deadline} s "
            "(Discord shows 'The application did not respond')"
        )
        await standin.until(
            lambda: record.resolved, f"the deferred answer to {record.label} to be sent"
        )
        return Reply(self, record)

    async def _use(self, message: Message, data: dict[str, Any], label: str) -> Reply:
        found = self.standin.world.find_channel(message.channel.id)
        assert found
        record = await self.standin.interact(
            COMPONENT, self.user, *found, data, label=label, source=message
        )
        return await self._reply(record)

    def _component(self, message: Message, what: str, wanted: Any) -> dict[str, Any]:
        assert not message.deleted, "that message was deleted"
        people = message.channel.people
        assert not people or self.user in people, f"{self.name} is not where that message is"
        if message.ephemeral:
            assert message.interaction and message.interaction.user is self.user, (
                f"{self.name} cannot see someone else's ephemeral message"
            )
        components = [c for _, c in walk_components(message.components, "")]
        found = next((c for c in components if wanted(c)), None)
        assert found, f"no {what} on the message; it has {components}"
        assert not found.get("disabled"), f"the {what} is disabled"
        return found

    def _place(self, where: Where) -> tuple[Channel, Guild | None]:
        world = self.standin.world
        if where is None or where == "dm":
            return world.dm_channel(self.user), None
        if isinstance(where, Channel):
            found = world.find_channel(where.id)
            assert found, f"no channel {where.name}"
            assert not where.private or self.user in where.people, f"{self.name} is not in it"
            return found
        assert self.guild, f"{self.name} is in no guild"
        return self.guild.channel(where), self.guild

    def _command_data(
        self,
        command: str,
        channel: Channel,
        guild: Guild | None,
        options: dict[str, Any],
        focused: tuple[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The `data` of a command interaction, with options typed and resolved, and the
        installs that authorize it."""
        name, *path = command.split()
        registered, guild_id = self.standin.find_command(name, guild)
        owners = self._check_can_use(registered, channel, guild)
        specs, nesting = registered.get("options") or [], []
        for part in path:
            found = next((s for s in specs if s["name"] == part and s["type"] in (1, 2)), None)
            assert found, f"/{name} has no subcommand {part!r}"
            nesting.append(found)
            specs = found.get("options") or []
        by_name = {spec["name"]: spec for spec in specs}
        resolved: dict[str, dict[str, Any]] = {}
        given = []
        for key, value in options.items():
            assert key in by_name, f"/{command} has no option {key!r}; it has {list(by_name)}"
            given.append(self._option(by_name[key], value, resolved, channel, guild))
        if focused is not None:
            spec = by_name.get(focused[0])
            assert spec and spec.get("autocomplete"), f"{focused[0]!r} has no autocomplete"
            given.append(
                {"name": spec["name"], "type": spec["type"], "value": focused[1], "focused": True}
            )
        else:
            missing = [s["name"] for s in specs if s.get("required") and s["name"] not in options]
            assert not missing, f"/{command} needs {missing}"
        for spec in reversed(nesting):
            given = [{"name": spec["name"], "type": spec["type"], "options": given}]
        data: dict[str, Any] = {"id": registered["id"], "name": name, "type": 1, "options": given}
        if resolved:
            data["resolved"] = resolved
        if guild_id is not None:
            data["guild_id"] = str(guild_id)
        return data, owners

    def _check_can_use(
        self, command: dict[str, Any], channel: Channel, guild: Guild | None
    ) -> dict[str, str]:
        """Discord's client only offers commands allowed here to people allowed to use them,
        through an install of the app that reaches here: those installs are returned."""
        label = f"/{command['name']}"
        contexts = command.get("contexts")
        if channel.private:
            assert contexts is None or 2 in contexts, (
                f"{label} cannot be used in DMs between users or group DMs"
            )
        elif guild is None:
            assert (
                (1 in contexts) if contexts else command.get("dm_permission", True) is not False
            ), f"{label} cannot be used in DMs"
        else:
            assert not contexts or 0 in contexts, f"{label} cannot be used in servers"
        owners = self.standin.authorizing_owners(
            self.user, channel, guild, command.get("integration_types")
        )
        why = f"{label} is not for user installs"
        if not self.user.installed_app:
            why = f"{self.name} has not added the app"
        assert owners, f"{label} is offered here by no install of the app ({why})"
        if guild is None:
            return owners
        needed = command.get("default_member_permissions")
        granted = guild.command_roles.get(command["name"], set())
        if needed is not None and not granted & set(guild.members.get(self.user.name, [])):
            have = guild.permissions(self.user)
            allowed = (
                have == ALL_PERMISSIONS if int(needed) == 0 else have & int(needed) == int(needed)
            )
            assert allowed, f"{self.name} lacks the permissions {label} requires ({needed})"
        assert channel.nsfw or not command.get("nsfw"), (
            f"{label} is age-restricted; #{channel.name} is not"
        )
        return owners

    def _option(
        self,
        spec: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        guild: Guild | None,
    ) -> dict[str, Any]:
        """One option as the client sends it; entities go into `resolved` as Discord does."""
        kind, name = spec["type"], spec["name"]
        world = self.standin.world
        if kind in (STRING, INTEGER, NUMBER, BOOLEAN):
            value = {STRING: str, INTEGER: int, NUMBER: float, BOOLEAN: bool}[kind](value)
            choices = [c["value"] for c in spec.get("choices") or []]
            assert not choices or value in choices, f"{name} must be one of {choices}"
            if kind == STRING:
                least, most = spec.get("min_length", 0), spec.get("max_length", 6000)
                assert least <= len(value) <= most, f"{name} takes {least} to {most} characters"
            elif kind != BOOLEAN:
                low, high = spec.get("min_value", -(2**53)), spec.get("max_value", 2**53)
                assert low <= value <= high, f"{name} must be between {low} and {high}"
            return {"name": name, "type": kind, "value": value}
        if kind == ATTACHMENT:
            attachment: Attachment = value
            payload = self.standin.attachment_payload(attachment)
            resolved.setdefault("attachments", {})[str(attachment.id)] = payload
            return {"name": name, "type": kind, "value": str(attachment.id)}
        if kind == CHANNEL:
            assert guild, f"{name}: channel options need a server"
            target = guild.channel(value) if isinstance(value, str) else value
            types = spec.get("channel_types")
            assert not types or target.type in types, f"{name} takes channel types {types}"
            payload = world.channel_payload(target, guild)
            payload["permissions"] = str(guild.permissions(self.user, target))
            resolved.setdefault("channels", {})[str(target.id)] = payload
            return {"name": name, "type": kind, "value": str(target.id)}
        entity = _entity(value, kind, world, guild)
        if isinstance(entity, Role):
            resolved.setdefault("roles", {})[str(entity.id)] = role_payload(entity)
        else:
            resolved.setdefault("users", {})[str(entity.id)] = entity.payload()
            if guild is not None and entity.name in guild.members:
                member = world.member_payload(guild, entity)
                resolved.setdefault("members", {})[str(entity.id)] = member
        return {"name": name, "type": kind, "value": str(entity.id)}


def _entity(value: Any, kind: int, world: World, guild: Guild | None) -> User | Role:
    """A user, role or mentionable option's target, given by object or name."""
    if isinstance(value, Person):
        return value.user
    if isinstance(value, User | Role):
        return value
    if kind in (ROLE, MENTIONABLE) and guild and any(r.name == value for r in guild.roles):
        return guild.role(value)
    assert kind != ROLE, f"no role {value!r}"
    return world.user(value)


def _answer(
    field: dict[str, Any], label: str | None, left: dict[str, str | list[str]]
) -> dict[str, Any]:
    """A modal field as submitted, taking its value out of `left` by custom_id or label."""
    custom_id = field["custom_id"]
    key = custom_id if custom_id in left else label
    if field["type"] == STRING_SELECT:
        options = field.get("options") or []
        by_label = {option["label"]: option["value"] for option in options}
        if key in left:  # chosen by label or value; untouched, the menu keeps its defaults
            chosen = [by_label.get(choice, choice) for choice in left.pop(key)]
        else:
            chosen = [option["value"] for option in options if option.get("default")]
        assert all(value in by_label.values() for value in chosen), f"{label!r} has no {chosen}"
        least, most = field.get("min_values", 1), field.get("max_values", 1)
        assert least <= len(chosen) <= most, f"{label!r} takes {least} to {most} choices"
        return {"type": STRING_SELECT, "custom_id": custom_id, "values": chosen}
    assert field["type"] == TEXT_INPUT, (
        f"the driver cannot fill modal fields of type {field['type']}"
    )
    value = left.pop(key, None) if key is not None else None
    value = field.get("value", "") if value is None else value
    shown = label or custom_id
    assert value or not field.get("required", True), f"{shown!r} is required"
    least, most = field.get("min_length", 0), field.get("max_length", 4000)
    assert not value or least <= len(value) <= most, f"{shown!r} takes {least} to {most} characters"
    return {"type": TEXT_INPUT, "custom_id": custom_id, "value": value}
