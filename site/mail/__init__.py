"""Mail: the outbox every email is written to, its delivery over SMTP, and its screen."""
