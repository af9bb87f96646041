DROP TABLE oauth_github;
