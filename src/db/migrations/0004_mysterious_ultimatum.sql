CREATE TABLE `history_points` (
	`key` integer PRIMARY KEY NOT NULL,
	`block_height` integer,
	`network_height` integer,
	`sync_percent_x100` integer,
	`peers` real,
	`peers_min` integer,
	`peers_max` integer,
	`disk_used_bytes` integer,
	`disk_total_bytes` integer,
	`disk_available_bytes` integer,
	`cpu_millicores` integer,
	`cpu_millicores_max` integer,
	`memory_bytes` integer,
	`memory_bytes_max` integer,
	`samples` integer,
	`roles` text
);
--> statement-breakpoint
CREATE TABLE `history_series` (
	`id` integer PRIMARY KEY NOT NULL,
	`node_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `history_series_node_id_unique` ON `history_series` (`node_id`);