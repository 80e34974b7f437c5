"""Who is acting, what they may do, and what is recorded: the actor, logging in, the audit log (SEC-*)."""
