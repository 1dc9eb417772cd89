-- Hand-written: what schema.prisma cannot express. The database itself refuses a notification
-- addressed to nobody or to both an organization and a user, and one without a title or body.

ALTER TABLE "notifications" ADD CONSTRAINT "notifications_audience_check"
  CHECK (num_nonnulls("organization_id", "user_id") = 1);

ALTER TABLE "notifications" ADD CONSTRAINT "notifications_text_check"
  CHECK (length("title") BETWEEN 1 AND 200 AND length("body") BETWEEN 1 AND 2000);

ALTER TABLE "processed_events" ADD CONSTRAINT "processed_events_notification_count_check"
  CHECK ("notification_count" >= 0);
