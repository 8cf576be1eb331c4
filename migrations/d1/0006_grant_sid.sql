ALTER TABLE `grants` ADD `sid` text;--> statement-breakpoint
CREATE INDEX `grants_sid_idx` ON `grants` (`sid`);