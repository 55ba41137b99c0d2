"""Caseworker work: "My work" queue, claim/unclaim, the task page (form, draft, submit), open a case."""
