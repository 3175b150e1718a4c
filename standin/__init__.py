"""A local stand-in for Discord's REST API and gateway, and a driver that acts like users."""
