CREATE TABLE `denylist` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`reason` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `denylist_kind_value_unique` ON `denylist` (`kind`,`value`);--> statement-breakpoint
CREATE INDEX `denylist_created_at_id_idx` ON `denylist` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `denylist_expires_at_idx` ON `denylist` (`expires_at`);