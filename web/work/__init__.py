"""Caseworker work: "My work" (filters, counts, claim and give back with htmx) and the task page of a step
(its declarative form, draft, submit, conflicts). Imports engine services only; never a survivor name in
a URL."""
