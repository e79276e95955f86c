"""Import of indicator values from CSV or Excel: template, checked upload, dry run, one commit.

One job per module: upload (the file: its columns, the template to fill in, and reading an
upload, checked for its shape) and run (the dry run and the commit: each row planned against the
database, then stored in one transaction).
"""
