"""The open-data API's content (issue 20): the approved data of a mission as a Frictionless
Data Package, its tables as CSV and JSON, each with an ETag from its content.

schema.py says what each table holds (Table Schema), rows.py reads the rows a partner may see,
publish.py renders and caches them; dashboard/api_routes.py serves them over HTTP.
"""
