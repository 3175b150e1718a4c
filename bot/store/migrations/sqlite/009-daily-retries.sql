-- A daily post Discord fails to take (a 5xx answer, a timeout, a lost connection) is tried again
-- with backoff through its local day, at the schedule's `next_post_at`: kept here, the waits
-- survive a restart. A post whose day ends unsent is given up and the next day's is due.
ALTER TABLE daily_schedule ADD COLUMN trouble_since TEXT; -- UTC instant of the first failure of
                                                          -- the post being retried; NULL if none
ALTER TABLE daily_post ADD COLUMN given_up_at TEXT;       -- when its day ended without a send
