-- Series: the series a story is part of ('' for none) and its part number in it (NULL: not
-- given), as AO3 says "Part 2 of <series>". A series is listed in order of its parts.
ALTER TABLE story ADD COLUMN series TEXT NOT NULL DEFAULT '';
ALTER TABLE story ADD COLUMN series_part INTEGER;
CREATE INDEX story_by_series ON story (series COLLATE NOCASE, series_part) WHERE series != '';
