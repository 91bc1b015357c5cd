"""The top of the service: the bureau's admin site, its dashboard and sign-in, and the roles.

It may import every layer below. ``admin_site`` is the two-factor admin site
that ``config.apps`` installs as Django's default, with the dashboard;
``two_factor`` is the page where staff manage their second factors;
``migrations`` create the role groups, whose permissions span every app.
URL routing is ``config.urls``; demo data is ``auditsvc.demo``.
"""
