alter table versions
    drop constraint versions_crate_id_num_no_build_uindex;
