DROP TABLE [order notes];
