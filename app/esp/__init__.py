"""Email-service-provider connectors: Mailchimp, Kit, beehiiv, MailerLite and Brevo.

``make_connector`` builds one; its ``verify()`` checks the credentials and its ``pages()``
lists every subscriber, normalised, page by page. See ``app.esp.connector``.
"""

from app.esp.connector import (
    PROVIDERS,
    Connector,
    EspEndpoints,
    EspError,
    InvalidCredentials,
    NormalizedSubscriber,
    Page,
    ProviderError,
    ProviderUnavailable,
    RateLimit,
    Sleep,
    make_connector,
)

__all__ = [
    "PROVIDERS",
    "Connector",
    "EspEndpoints",
    "EspError",
    "InvalidCredentials",
    "NormalizedSubscriber",
    "Page",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimit",
    "Sleep",
    "make_connector",
]
