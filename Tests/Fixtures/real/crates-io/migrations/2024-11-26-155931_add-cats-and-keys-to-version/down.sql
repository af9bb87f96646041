alter table versions
    drop column categories,
    drop column keywords;
