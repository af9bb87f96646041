alter table versions
    alter column checksum drop not null;
