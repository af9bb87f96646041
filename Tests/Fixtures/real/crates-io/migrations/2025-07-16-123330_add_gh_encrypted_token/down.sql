alter table users drop column gh_encrypted_token;
