"""Benchmarks of chainkg: scripts that print (or write) numbers and assert nothing. Not part of the installed package;
run them from the repository root (``make bench``, ``make bench-scale``)."""
