DROP INDEX books_author;
DROP TABLE books;
