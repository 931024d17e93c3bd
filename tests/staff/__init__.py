"""Staff (site/staff/): sign-in, the admin guard, the audit log, dashboard, flask create-staff."""
