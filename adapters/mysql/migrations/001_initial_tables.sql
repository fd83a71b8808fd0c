-- The seeds' tables (seeds/001) keyed by the pipeline's natural ids, so that every sink write is an idempotent
-- upsert. Times are DATETIME(3) in UTC (the pool sends 'Z'): TIMESTAMP converts by session zone and ends in 2038.
-- No foreign keys between images, predictions and alerts: they arrive on different topics and partitions, in any order.

CREATE TABLE satellite_images (
  image_id VARCHAR(64) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  s3_uri VARCHAR(500) NOT NULL,
  ground_station VARCHAR(100) NOT NULL,
  latitude DECIMAL(10,8) NULL,
  longitude DECIMAL(11,8) NULL,
  width_px INT NULL,
  height_px INT NULL,
  capture_timestamp DATETIME(3) NOT NULL,
  processing_status ENUM('pending', 'processing', 'completed', 'failed') NOT NULL DEFAULT 'pending',
  processing_error VARCHAR(1000) NULL,
  processing_completed_at DATETIME(3) NULL,
  trace_id VARCHAR(64) NOT NULL,
  PRIMARY KEY (image_id),
  INDEX idx_hash (sha256),
  INDEX idx_location (latitude, longitude),
  INDEX idx_status (processing_status),
  INDEX idx_capture_time (capture_timestamp),
  INDEX idx_completed_at (processing_completed_at)
);

-- One row per image and model: rescoring history with a new model adds rows instead of overwriting.
CREATE TABLE ml_predictions (
  image_id VARCHAR(64) NOT NULL,
  model_name VARCHAR(100) NOT NULL,
  model_version VARCHAR(50) NOT NULL,
  landslide_probability DECIMAL(5,4) NOT NULL DEFAULT 0.0000,
  landslide_detections_count INT NOT NULL DEFAULT 0,
  flood_probability DECIMAL(5,4) NOT NULL DEFAULT 0.0000,
  flood_detections_count INT NOT NULL DEFAULT 0,
  confidence_score DECIMAL(5,4) NOT NULL,
  risk_level ENUM('low', 'medium', 'high', 'critical') NOT NULL,
  risk_policy VARCHAR(50) NOT NULL,
  processing_time_ms INT NOT NULL,
  tiles INT NOT NULL,
  cached BOOLEAN NOT NULL,
  detections_json JSON NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (image_id, model_name, model_version),
  INDEX idx_probabilities (landslide_probability, flood_probability),
  INDEX idx_risk_level (risk_level),
  INDEX idx_created_at (created_at)
);

-- The latest revision of each alert; alert_revisions keeps every message.
CREATE TABLE alerts (
  alert_id CHAR(36) NOT NULL,
  revision INT NOT NULL,
  msg_type ENUM('ALERT', 'UPDATE', 'CANCEL') NOT NULL,
  alert_type ENUM('landslide', 'flood') NOT NULL,
  severity ENUM('low', 'medium', 'high', 'critical') NOT NULL,
  cell VARCHAR(16) NOT NULL,
  latitude DECIMAL(10,8) NOT NULL,
  longitude DECIMAL(11,8) NOT NULL,
  affected_radius_km DECIMAL(8,3) NOT NULL,
  probability DECIMAL(5,4) NOT NULL,
  confidence DECIMAL(5,4) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  window_start DATETIME(3) NOT NULL,
  window_end DATETIME(3) NOT NULL,
  is_active BOOLEAN NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (alert_id),
  -- "active alerts within R km of a point": equality on is_active, then a latitude range (the bounding box).
  INDEX idx_active_location (is_active, latitude, longitude),
  INDEX idx_severity_active (severity, is_active),
  INDEX idx_type (alert_type),
  INDEX idx_cell (cell),
  INDEX idx_expires (expires_at)
);

CREATE TABLE alert_revisions (
  alert_id CHAR(36) NOT NULL,
  revision INT NOT NULL,
  msg_type ENUM('ALERT', 'UPDATE', 'CANCEL') NOT NULL,
  severity ENUM('low', 'medium', 'high', 'critical') NOT NULL,
  probability DECIMAL(5,4) NOT NULL,
  confidence DECIMAL(5,4) NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  window_start DATETIME(3) NOT NULL,
  window_end DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  PRIMARY KEY (alert_id, revision)
);

-- Lineage: every image an alert rests on, with the first revision that named it.
CREATE TABLE alert_images (
  alert_id CHAR(36) NOT NULL,
  image_id VARCHAR(64) NOT NULL,
  first_revision INT NOT NULL,
  PRIMARY KEY (alert_id, image_id),
  INDEX idx_image (image_id)
);

CREATE TABLE api_usage (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  api_key VARCHAR(100) NOT NULL,
  endpoint VARCHAR(100) NOT NULL,
  request_count INT NOT NULL DEFAULT 1,
  hour_timestamp DATETIME(3) NOT NULL,
  UNIQUE KEY unique_usage (api_key, endpoint, hour_timestamp),
  INDEX idx_api_key_hour (api_key, hour_timestamp)
);
