"""Sign-in and sign-out, the signed-in principal, and the role guard used by every other blueprint."""
