# Sections and articles arrive with the knowledge-base issue.
