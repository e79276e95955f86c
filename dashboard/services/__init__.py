"""Use cases: queries that return DataFrames or read models. No streamlit imports."""
