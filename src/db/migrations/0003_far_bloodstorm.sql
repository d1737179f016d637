CREATE TABLE `alert_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`rule` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` integer NOT NULL,
	`resolved_at` integer,
	`subject_kind` text NOT NULL,
	`subject_key` text NOT NULL,
	`subject_name` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_incidents_one_open_idx` ON `alert_incidents` (`rule`,`subject_key`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `alert_incidents_org_idx` ON `alert_incidents` (`organization_id`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `notification_node_overrides` (
	`organization_id` text NOT NULL,
	`node_id` text NOT NULL,
	`node_down_enabled` integer,
	`disk_usage_enabled` integer,
	`disk_usage_threshold_percent` integer,
	`sync_stalled_enabled` integer,
	`sync_stalled_minutes` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `node_id`),
	FOREIGN KEY (`organization_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`node_id`) REFERENCES `nodes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_node_overrides_node_idx` ON `notification_node_overrides` (`node_id`);--> statement-breakpoint
CREATE TABLE `notification_settings` (
	`organization_id` text PRIMARY KEY NOT NULL,
	`node_down_enabled` integer DEFAULT true NOT NULL,
	`disk_usage_enabled` integer DEFAULT true NOT NULL,
	`disk_usage_threshold_percent` integer DEFAULT 85 NOT NULL,
	`sync_stalled_enabled` integer DEFAULT true NOT NULL,
	`sync_stalled_minutes` integer DEFAULT 10 NOT NULL,
	`executor_offline_enabled` integer DEFAULT true NOT NULL,
	`webhook_url` text,
	`webhook_enabled` integer DEFAULT false NOT NULL,
	`webhook_secret_sealed` text,
	`webhook_secret_rotated_at` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`incident_id` text,
	`outbox_id` text,
	`attempt` integer NOT NULL,
	`target_url` text NOT NULL,
	`request_body` text NOT NULL,
	`ok` integer NOT NULL,
	`status_code` integer,
	`response_body` text,
	`error_message` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_org_idx` ON `webhook_deliveries` (`organization_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`organization_id` text NOT NULL,
	`incident_id` text,
	`body` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organization`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `webhook_outbox_due_idx` ON `webhook_outbox` (`next_attempt_at`);