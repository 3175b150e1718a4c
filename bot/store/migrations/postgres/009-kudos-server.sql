-- Kudos keep the server they were given in (in DMs, the story's own; NULL for the bundled
-- library given in DMs), so that a bundled story's kudos count in each server's figures only
-- as given there. Those given before are counted in the story's own server.
ALTER TABLE kudos ADD COLUMN guild_id BIGINT;
UPDATE kudos SET guild_id = (SELECT guild_id FROM story WHERE story.id = kudos.story_id);
CREATE INDEX kudos_by_server ON kudos (guild_id, given_at);
