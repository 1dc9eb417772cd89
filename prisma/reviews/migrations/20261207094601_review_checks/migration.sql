-- Hand-written: what schema.prisma cannot express. The database itself refuses a rating outside
-- 1 to 5, a comment beyond 2000 characters, and a hidden review without its reason.

ALTER TABLE "reviews" ADD CONSTRAINT "reviews_rating_check" CHECK ("rating" BETWEEN 1 AND 5);

ALTER TABLE "reviews" ADD CONSTRAINT "reviews_comment_check" CHECK (length("comment") <= 2000);

ALTER TABLE "reviews" ADD CONSTRAINT "reviews_hidden_check"
  CHECK (("hidden_at" IS NULL) = ("hidden_reason" IS NULL));
