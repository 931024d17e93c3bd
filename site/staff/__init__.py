"""Staff: accounts, sign-in and its throttling, the dashboard and the audit log screen."""
