"""Submissions for the grader's tests and benchmark, built with nbformat (see ``submissions.py``)."""
