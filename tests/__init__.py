"""The test suite, mirroring the packages (tests/auditsvc/<layer>/, tests/partners/).

``conftest.py`` holds the personas and clients, ``factories.py`` the
factory_boy factories, ``needs.py`` the marks of tests that need a real
service, ``browser.py`` the Playwright fixtures, ``servers.py`` real
gunicorn servers and client processes.
"""
