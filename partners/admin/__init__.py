"""Admin pages of the partner registry, where bureau staff do their work.

Every change of state goes through a service in partners.services with the
signed-in user as the actor (so the bureau log says who decided what);
records are evidence and cannot be deleted here. The site itself (two-factor
sign-in, dashboard) is auditsvc.site.admin_site.
"""

from . import agents, authorisations, credentials, letters, partners, records

__all__ = ["agents", "authorisations", "credentials", "letters", "partners", "records"]
