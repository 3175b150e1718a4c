"""Views, buttons, select menus and modals shared by cogs."""
