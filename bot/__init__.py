"""storybot: a Discord bot that serves multi-chapter stories to a community."""
