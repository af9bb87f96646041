alter table versions
    drop num_no_build;
