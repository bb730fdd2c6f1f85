"""The demo: ``manage.py seed_demo`` fills every app with realistic Polish data.

It sits above the apps (it imports all of them) and no app imports it.
"""
