DROP TABLE version_owner_actions;
