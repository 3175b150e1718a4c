-- The one schedule of what the bot sends on its own, shared by all its processes: when the next
-- turn not yet taken begins. Each process takes a few turns at a time, so that together they
-- keep to Discord's global limit, whichever of them has something to send.
CREATE TABLE send_turns (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    next_at TIMESTAMPTZ NOT NULL
);
INSERT INTO send_turns (next_at) VALUES (now());
