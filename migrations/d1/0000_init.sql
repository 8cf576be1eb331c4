CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`actor_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`action` text NOT NULL,
	`target_kind` text NOT NULL,
	`target_id` text,
	`ip` text,
	`user_agent` text,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_created_at_id_idx` ON `audit_log` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `clients` (
	`client_id` text PRIMARY KEY NOT NULL,
	`client_secret_hash` text,
	`client_secret_expires_at` integer NOT NULL,
	`registration_access_token_hash` text,
	`client_name` text,
	`redirect_uris` text NOT NULL,
	`grant_types` text NOT NULL,
	`response_types` text NOT NULL,
	`scope` text NOT NULL,
	`token_endpoint_auth_method` text NOT NULL,
	`metadata` text NOT NULL,
	`enabled` integer NOT NULL,
	`first_party` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clients_created_at_id_idx` ON `clients` (`created_at`,`client_id`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`user_id` text,
	`grant_type` text NOT NULL,
	`scope` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `grants_created_at_id_idx` ON `grants` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `grants_client_id_idx` ON `grants` (`client_id`);--> statement-breakpoint
CREATE INDEX `grants_user_id_idx` ON `grants` (`user_id`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`alg` text NOT NULL,
	`use` text NOT NULL,
	`status` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk_encrypted` text NOT NULL,
	`created_at` integer NOT NULL,
	`retires_at` integer
);
--> statement-breakpoint
CREATE INDEX `signing_keys_created_at_kid_idx` ON `signing_keys` (`created_at`,`kid`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`email` text,
	`name` text,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`enabled` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE INDEX `users_created_at_id_idx` ON `users` (`created_at`,`id`);