"""The role-appropriate landing page and the language switch."""
