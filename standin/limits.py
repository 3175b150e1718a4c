"""Discord's documented limits on what a bot sends, checked as the API checks them.

Each check returns problems as (path, message) pairs; `form_errors` nests them the way
Discord's 50035 "Invalid Form Body" answer does, so discord.py prints them readably.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Problem = tuple[str, str]

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT, SECTION, TEXT_DISPLAY = 1, 2, 3, 4, 9, 10
THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER, LABEL = 11, 12, 13, 14, 17, 18
SELECTS = {3, 5, 6, 7, 8}
URL_STYLES = {5, 6}  # link and premium buttons carry no custom_id
SUPPRESS_EMBEDS, COMPONENTS_V2 = 1 << 2, 1 << 15
EDITABLE_FLAGS = SUPPRESS_EMBEDS | COMPONENTS_V2
# What each place of a message may hold, by component type (Components reference).
TOP_LEVEL = (ACTION_ROW,)
LAYOUT_TOP_LEVEL = (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER)
CHILDREN = {
    ACTION_ROW: (BUTTON, *sorted(SELECTS)),
    SECTION: (TEXT_DISPLAY,),
    CONTAINER: (ACTION_ROW, TEXT_DISPLAY, SECTION, MEDIA_GALLERY, SEPARATOR, FILE),
}
ACCESSORIES = (BUTTON, THUMBNAIL)
# Fields a components v2 message may not use, as the request names them.
LEGACY_FIELDS = ("content", "embeds", "sticker_ids", "poll")
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _length(problems: list[Problem], path: str, value: Any, most: int, least: int = 0) -> None:
    size = len(value) if value is not None else 0
    if not least <= size <= most:
        problems.append((path, f"Must be between {least} and {most} in length."))


def embed_texts(embed: dict[str, Any]) -> Iterator[tuple[str, str, int]]:
    """Every text of an embed as (path, text, limit)."""
    yield "title", embed.get("title") or "", 256
    yield "description", embed.get("description") or "", 4096
    for i, item in enumerate(embed.get("fields") or []):
        yield f"fields.{i}.name", item.get("name") or "", 256
        yield f"fields.{i}.value", item.get("value") or "", 1024
    yield "footer.text", (embed.get("footer") or {}).get("text") or "", 2048
    yield "author.name", (embed.get("author") or {}).get("name") or "", 256


def walk_components(components: list[dict[str, Any]], path: str) -> Iterator[tuple[str, dict]]:
    """Every component, nested ones included (rows, containers, sections, labels)."""
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue  # refused by the layout check; nothing inside it to walk
        here = f"{path}.{i}"
        yield here, component
        yield from walk_components(component.get("components") or [], f"{here}.components")
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                yield from walk_components([component[key]], f"{here}.{key}")


def check_message(
    body: dict[str, Any], *, editing: dict[str, Any] | None = None, has_files: bool = False
) -> list[Problem]:
    """Content, embeds, flags and components of a new message, or of an edit of `editing`
    (the message as stored): an edit is checked for what the message becomes."""
    problems: list[Problem] = []
    before = editing["flags"] if editing else 0
    flags = before if body.get("flags") is None else body["flags"]
    if before & COMPONENTS_V2 and not flags & COMPONENTS_V2:
        problems.append(("flags", "The IS_COMPONENTS_V2 flag cannot be removed from a message."))
    layout = bool((before | flags) & COMPONENTS_V2)
    if layout:
        after = {**(editing or {}), **body}
        problems += [
            (key, f"The '{key}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
            for key in LEGACY_FIELDS
            if after.get(key)
        ]
    _length(problems, "content", body.get("content"), 2000)
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        problems.append(("embeds", "Must be 10 or fewer in length."))
    total = 0
    for i, embed in enumerate(embeds):
        for path, text, limit in embed_texts(embed):
            _length(problems, f"embeds.{i}.{path}", text, limit)
            total += len(text)
        if len(embed.get("fields") or []) > 25:
            problems.append((f"embeds.{i}.fields", "Must be 25 or fewer in length."))
    if total > 6000:
        problems.append(("embeds", "Embed size exceeds maximum size of 6000"))
    components = body.get("components") or []
    problems += check_components(components, layout=layout)
    if editing is None and not (body.get("content") or embeds or components or has_files):
        problems.append(("content", "Cannot send an empty message"))
    return problems


def check_components(components: list[dict[str, Any]], *, layout: bool) -> list[Problem]:
    """Action rows of buttons and selects, or with `layout` (the IS_COMPONENTS_V2 flag) any
    of the v2 components, nested as Discord allows."""
    problems: list[Problem] = []
    if layout:
        every = [c for _, c in walk_components(components, "components")]
        if len(every) > 40:
            problems.append(("components", "Must be 40 or fewer components in total."))
        text = sum(len(c.get("content") or "") for c in every if c.get("type") == TEXT_DISPLAY)
        if text > 4000:
            problems.append(("components", "Text displays must hold 4000 or fewer characters."))
    elif len(components) > 5:
        problems.append(("components", "Must be 5 or fewer in length."))
    problems += _check_layout(components, "components", LAYOUT_TOP_LEVEL if layout else TOP_LEVEL)
    problems += _check_items(components, "components")
    return problems


def _check_layout(components: list[Any], path: str, allowed: tuple[int, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for i, component in enumerate(components):
        problems += _check_component(component, f"{path}.{i}", allowed)
    return problems


def _check_component(component: Any, path: str, allowed: tuple[int, ...]) -> list[Problem]:
    """One component: a type `allowed` where it is, holding what its type may hold."""
    if not isinstance(component, dict):
        return [(path, "Only dictionaries may be used in a ModelType")]
    kind = component.get("type")
    if kind not in allowed:
        return [(path, f'Value of field "type" must be one of {allowed}.')]
    problems: list[Problem] = []
    children = component.get("components") or []
    if kind in CHILDREN:
        problems += _check_layout(children, f"{path}.components", CHILDREN[kind])
    if kind == ACTION_ROW:
        selects = sum(isinstance(c, dict) and c.get("type") in SELECTS for c in children)
        if not 1 <= len(children) <= 5 or (selects and len(children) != 1):
            problems.append((path, "A row holds 1 to 5 buttons or a single select."))
    elif kind == SECTION:
        _length(problems, f"{path}.components", children, 3, 1)
        accessory = component.get("accessory")
        if accessory is None:
            problems.append((f"{path}.accessory", "This field is required"))
        else:
            problems += _check_component(accessory, f"{path}.accessory", ACCESSORIES)
    elif kind == CONTAINER:
        _length(problems, f"{path}.components", children, 40, 1)
        accent = component.get("accent_color")
        if accent is not None and not (type(accent) is int and 0 <= accent <= 0xFFFFFF):
            problems.append((f"{path}.accent_color", "Must be a color from 0 to 16777215."))
    elif kind == TEXT_DISPLAY:
        _length(problems, f"{path}.content", component.get("content"), 4000, 1)
    elif kind == SEPARATOR:
        if component.get("spacing", 1) not in (1, 2):
            problems.append((f"{path}.spacing", "Must be 1 (small) or 2 (large)."))
    elif kind == MEDIA_GALLERY:
        items = component.get("items") or []
        _length(problems, f"{path}.items", items, 10, 1)
        for j, item in enumerate(items):
            problems += _check_media(item, f"{path}.items.{j}")
    elif kind == THUMBNAIL:
        problems += _check_media(component, path)
    elif kind == FILE:
        url = (component.get("file") or {}).get("url") or ""
        if not url.startswith("attachment://"):
            problems.append((f"{path}.file.url", "Must be an attachment://<filename> reference."))
    for key in ("divider", "spoiler"):
        if key in component and not isinstance(component[key], bool):
            problems.append((f"{path}.{key}", "Must be either true or false."))
    return problems


def _check_media(item: dict[str, Any], path: str) -> list[Problem]:
    """A thumbnail or gallery item: media with a url, alt text of at most 1024 characters."""
    problems: list[Problem] = []
    if not (item.get("media") or {}).get("url"):
        problems.append((f"{path}.media.url", "This field is required"))
    _length(problems, f"{path}.description", item.get("description"), 1024)
    return problems


def _check_items(components: list[dict[str, Any]], root: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    ids: set[int] = set()
    for path, component in walk_components(components, root):
        kind = component.get("type")
        if "id" in component:
            # An id of 0 counts as none: Discord numbers such components itself.
            number = component["id"]
            if type(number) is not int or not 0 <= number < 2**31:
                problems.append((f"{path}.id", "Must be a 32-bit integer from 0 to 2147483647."))
            elif number and number in ids:
                problems.append((f"{path}.id", "Component id cannot be duplicated"))
            else:
                ids.add(number)
        if "custom_id" in component:
            custom_id = component["custom_id"]
            _length(problems, f"{path}.custom_id", custom_id, 100, 1)
            if custom_id in seen:
                problems.append((f"{path}.custom_id", "Component custom id cannot be duplicated"))
            seen.add(custom_id)
        elif kind in SELECTS | {TEXT_INPUT} or (
            kind == BUTTON and component.get("style") not in URL_STYLES
        ):
            problems.append((f"{path}.custom_id", "This field is required"))
        if kind == BUTTON:
            _length(problems, f"{path}.label", component.get("label"), 80)
        if kind in SELECTS:
            _length(problems, f"{path}.placeholder", component.get("placeholder"), 150)
        if kind == STRING_SELECT:
            options = component.get("options") or []
            _length(problems, f"{path}.options", options, 25, 1)
            for j, option in enumerate(options):
                _length(problems, f"{path}.options.{j}.label", option.get("label"), 100, 1)
                _length(problems, f"{path}.options.{j}.value", option.get("value"), 100, 1)
                _length(problems, f"{path}.options.{j}.description", option.get("description"), 100)
        if kind == TEXT_INPUT:
            _length(problems, f"{path}.label", component.get("label"), 45)
            _length(problems, f"{path}.placeholder", component.get("placeholder"), 100)
            _length(problems, f"{path}.value", component.get("value"), 4000)
        if kind == LABEL:
            _length(problems, f"{path}.label", component.get("label"), 45, 1)
    return problems


ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
"""Minutes a thread may stay in the channel list (Channel → Thread Metadata Object)."""


def check_thread(
    body: dict[str, Any], tags: list[dict[str, Any]] | None, *, creating: bool
) -> list[Problem]:
    """A thread's fields when it is made or modified: its name of 1-100 characters, its
    `auto_archive_duration`, and on a forum's post (`tags`: the forum's) at most 5 of the
    forum's tags (Channel → Start Thread in Forum or Media Channel, Modify Channel)."""
    problems: list[Problem] = []
    if creating or "name" in body:
        _length(problems, "name", body.get("name"), 100, 1)
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in ARCHIVE_DURATIONS:
        problems.append(("auto_archive_duration", f"Must be one of {ARCHIVE_DURATIONS}."))
    applied = body.get("applied_tags")
    if tags is not None and applied is not None:
        _length(problems, "applied_tags", applied, 5)
        known = {tag["id"] for tag in tags}
        problems += [
            (f"applied_tags.{i}", "Unknown tag.")
            for i, tag in enumerate(applied)
            if str(tag) not in known
        ]
    return problems


def check_tags(tags: list[dict[str, Any]]) -> list[Problem]:
    """A forum's `available_tags`: at most 20, each named in 0-20 characters (Channel →
    Modify Channel, Forum Tag Object)."""
    problems: list[Problem] = []
    _length(problems, "available_tags", tags, 20)
    for i, tag in enumerate(tags):
        _length(problems, f"available_tags.{i}.name", tag.get("name"), 20)
    return problems


def check_modal(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    _length(problems, "data.title", data.get("title"), 45, 1)
    _length(problems, "data.custom_id", data.get("custom_id"), 100, 1)
    _length(problems, "data.components", data.get("components"), 5, 1)
    return problems + _check_items(data.get("components") or [], "data.components")


def check_choices(data: dict[str, Any]) -> list[Problem]:
    """An autocomplete answer."""
    problems: list[Problem] = []
    choices = data.get("choices") or []
    _length(problems, "data.choices", choices, 25)
    for i, choice in enumerate(choices):
        _length(problems, f"data.choices.{i}.name", choice.get("name"), 100, 1)
        if isinstance(choice.get("value"), str):
            _length(problems, f"data.choices.{i}.value", choice["value"], 100)
    return problems


def check_commands(commands: list[dict[str, Any]]) -> list[Problem]:
    """A bulk overwrite of application commands."""
    problems: list[Problem] = []
    names = [(c.get("name"), c.get("type", 1)) for c in commands]
    if len(set(names)) != len(names):
        problems.append(("", "Application command names must be unique"))
    for i, command in enumerate(commands):
        chat_input = command.get("type", 1) == 1
        _check_name(problems, str(i), command.get("name"), lowercase=chat_input)
        if chat_input:
            _length(problems, f"{i}.description", command.get("description"), 100, 1)
            problems += _check_options(command.get("options") or [], f"{i}.options")
    return problems


def _check_name(problems: list[Problem], path: str, name: Any, *, lowercase: bool) -> None:
    if not isinstance(name, str) or not COMMAND_NAME.match(name):
        problems.append((f"{path}.name", "Must be 1-32 letters, digits, - or _."))
    elif lowercase and name != name.lower():
        problems.append((f"{path}.name", "Command names must be lowercase."))


def _check_options(options: list[dict[str, Any]], path: str) -> list[Problem]:
    problems: list[Problem] = []
    _length(problems, path, options, 25)
    required_done = False
    for i, option in enumerate(options):
        here = f"{path}.{i}"
        _check_name(problems, here, option.get("name"), lowercase=True)
        _length(problems, f"{here}.description", option.get("description"), 100, 1)
        choices = option.get("choices") or []
        _length(problems, f"{here}.choices", choices, 25)
        for j, choice in enumerate(choices):
            _length(problems, f"{here}.choices.{j}.name", choice.get("name"), 100, 1)
            if isinstance(choice.get("value"), str):
                _length(problems, f"{here}.choices.{j}.value", choice["value"], 100)
        if option.get("type") in (1, 2):
            problems += _check_options(option.get("options") or [], f"{here}.options")
        elif option.get("required"):
            if required_done:
                problems.append((here, "Required options must be placed before optional ones"))
        else:
            required_done = True
    return problems


def form_errors(problems: list[Problem]) -> dict[str, Any]:
    """Problems nested as in Discord's `errors` object."""
    errors: dict[str, Any] = {}
    for path, message in problems:
        node = errors
        for key in filter(None, path.split(".")):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": "INVALID_FORM_BODY", "message": message})
    return errors
