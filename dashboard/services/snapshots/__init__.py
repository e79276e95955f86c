"""Progress snapshots: the rows of a status report, taken from the approved values and check-ins
(or read back from a frozen report), and the differences between two of them.

One job per module: rows (what a snapshot is: its four tables, their columns, and how two cells
compare), take (taking one from the approved state), store (storing and loading a report's),
changes (what may have changed since a report was taken, and the rows of just that) and compare
(the differences between two).
"""
