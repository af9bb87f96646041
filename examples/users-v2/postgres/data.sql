INSERT INTO users (name, email, created_at) VALUES
    ('John Doe', 'john@example.com', '2024-01-01 12:00:00'),
    ('Ana Lima', 'ana@example.com', '2024-02-14 08:30:00'),
    ('Kai Sato', 'kai@example.com', '2024-03-03 23:59:59');
INSERT INTO orders (user_id, total) VALUES (1, 19.99), (1, 5.00), (2, 120.50), (3, 7.25), (3, 64.00);
