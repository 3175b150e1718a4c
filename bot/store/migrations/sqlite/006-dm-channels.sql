-- A reader's DM channel with the bot, remembered once opened: a notice by DM is then one
-- request instead of two, which is what a fan-out to thousands of readers is limited by.
ALTER TABLE subscriber ADD COLUMN dm_channel_id INTEGER;
