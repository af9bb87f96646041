-- Fills NULL statuses: the down cannot know which rows were NULL.
UPDATE orders SET status = 'new' WHERE status IS NULL;
