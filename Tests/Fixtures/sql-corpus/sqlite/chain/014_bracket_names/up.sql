CREATE TABLE [order notes] ([order id] INTEGER NOT NULL REFERENCES orders (id), `note; text` TEXT, "said ""hi""" TEXT);
