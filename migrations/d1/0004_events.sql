CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`time` integer NOT NULL,
	`severity` text NOT NULL,
	`user_id` text,
	`client_id` text,
	`metadata` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`traceparent` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_idempotency_key_unique` ON `events` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `events_time_id_idx` ON `events` (`time`,`id`);--> statement-breakpoint
CREATE INDEX `events_client_id_time_idx` ON `events` (`client_id`,`time`);--> statement-breakpoint
CREATE INDEX `events_user_id_time_idx` ON `events` (`user_id`,`time`);--> statement-breakpoint
CREATE INDEX `events_type_time_idx` ON `events` (`type`,`time`);