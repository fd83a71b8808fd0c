-- API keys of the HTTP connector (hazardflow keys create|list|revoke). Only a SHA-256 of each key is stored: keys
-- are 190 random bits, so an unsalted fast hash cannot be reversed, and it lets a request find its key by index.
CREATE TABLE api_keys (
  key_id CHAR(12) NOT NULL,
  key_hash CHAR(64) NOT NULL,
  name VARCHAR(100) NOT NULL,
  rate_limit_per_minute INT NULL,
  created_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NULL,
  PRIMARY KEY (key_id),
  UNIQUE KEY uniq_key_hash (key_hash)
);
