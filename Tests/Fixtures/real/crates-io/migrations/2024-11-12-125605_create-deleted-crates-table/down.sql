drop table deleted_crates;
