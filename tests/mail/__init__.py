"""Mail (site/mail/): the outbox, its delivery over SMTP, and its admin screen."""
