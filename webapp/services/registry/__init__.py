"""Importing an existing register of organizations (名簿) from CSV or Excel.

`tables` reads a file into header + rows, `columns` guesses which column holds what, `names`
makes the keys that find an organization registered under a variant name, `rows` turns one row
into an `OrganizationCreate` or Japanese errors, and `imports` plans and stores an import."""
