CREATE TABLE `resources` (
	`id` text PRIMARY KEY NOT NULL,
	`identifier` text NOT NULL,
	`name` text,
	`scopes` text NOT NULL,
	`access_token_format` text,
	`access_token_ttl_secs` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `resources_identifier_unique` ON `resources` (`identifier`);--> statement-breakpoint
CREATE INDEX `resources_created_at_id_idx` ON `resources` (`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `scopes` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text NOT NULL,
	`advertise` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `scopes_created_at_name_idx` ON `scopes` (`created_at`,`name`);