"""A small client for Total Expert's public API, on requests. Shapes: docs/totalexpert.md.

OAuth 2.0 client credentials (`POST /v1/token`, HTTP Basic with the client id and secret): the
token is cached until shortly before it expires, and renewed once when the API answers 401.
Every failure becomes a ConnectorError that says whether a retry can help."""

import hashlib
from urllib.parse import quote

import requests
from django.core.cache import cache
from requests.adapters import HTTPAdapter

from integrations import safe_http
from integrations.connectors.base import ConnectorError
from integrations.webhooks import parse_retry_after

# Total Expert's tokens live 3600 s; renewing a little early means one never dies mid-delivery.
TOKEN_EXPIRY_MARGIN_SECONDS = 120
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600


class TotalExpertClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        timeout: float,
        vet_addresses: bool,
        cache_scope: str,
    ):
        self.base_url = api_root(base_url)
        self.credentials = (client_id, client_secret)
        self.timeout = timeout
        self.session = requests.Session()
        if vet_addresses:
            # An address typed into the admin: no proxy from the environment, and every
            # connection goes to an address safe_http vetted (as webhook deliveries do).
            self.session.trust_env = False
            self.session.mount("https://", VettedAddressAdapter())
            self.session.mount("http://", VettedAddressAdapter())
        key = f"{cache_scope}|{self.base_url}|{client_id}|{client_secret}"
        self.token_cache_key = f"integrations:totalexpert-token:{hashlib.sha256(key.encode()).hexdigest()}"

    # --- Resources ------------------------------------------------------------------------------

    def first_contact(self, **filters) -> dict | None:
        return self._first("/v1/contacts", filters)

    def get_contact(self, contact_id: str) -> dict | None:
        return self.request("GET", f"/v1/contacts/{_segment(contact_id)}", missing_ok=True)

    def create_contact(self, body: dict) -> str:
        """POST deduplicates: an existing match is updated (200 `duplicate`), else created (201)."""
        return str(self.request("POST", "/v1/contacts", json=body)["id"])

    def update_contact(self, contact_id: str, body: dict) -> bool:
        """False when the contact is gone (deleted or merged away in Total Expert)."""
        found = self.request("PATCH", f"/v1/contacts/{_segment(contact_id)}", json=body, missing_ok=True)
        return found is not None

    def first_user(self, **filters) -> dict | None:
        return self._first("/v1/users", filters)

    def create_note(self, body: dict) -> str:
        return str(self.request("POST", "/v1/contact-notes", json=body)["id"])

    def sms_opt_out(self, *, phone_number: str) -> None:
        self.request("POST", "/v1/sms/opt-out", json={"phone_number": phone_number})

    def sms_opt_in(self, *, phone_number: str, user: dict) -> None:
        body = {"phone_number": phone_number, "user": user, "status": "OPTED_IN"}
        self.request("POST", "/v1/sms/opt-in", json=body)

    def save_webhook_subscription(
        self, *, url: str, secret: str, actions: list, subscription_id: str = ""
    ) -> str:
        """Create the subscription, or update (and so rotate the secret of) the one we made."""
        body = {"url": url, "secret": secret, "actions": actions}
        if subscription_id:
            path = f"/v1/webhook-subscriptions/{_segment(subscription_id)}"
            if self.request("PATCH", path, json=body, missing_ok=True) is not None:
                return subscription_id
        created = self.request("POST", "/v1/webhook-subscriptions", json=body)
        return str(created.get("id") or "") if isinstance(created, dict) else ""

    def _first(self, path: str, filters: dict) -> dict | None:
        """The first entity matching every filter (`?filter=name=value,name2=value2`)."""
        if any(not value or "," in str(value) or "=" in str(value) for value in filters.values()):
            return None  # a value the filter syntax cannot carry matches nothing
        expression = ",".join(f"{name}={value}" for name, value in filters.items())
        page = self.request("GET", path, params={"filter": expression, "page[number]": 1, "page[size]": 10})
        items = page.get("items", page.get("objects", [])) if isinstance(page, dict) else page
        return items[0] if items else None

    # --- Transport ------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, json=None, params=None, missing_ok: bool = False):
        """Call the API with the cached token, renewing it once on a 401. Returns the JSON body
        (None for a 404 when `missing_ok`)."""
        response = self._send(method, path, json=json, params=params, headers=self._auth(fresh=False))
        if response.status_code == 401:
            response = self._send(method, path, json=json, params=params, headers=self._auth(fresh=True))
            if response.status_code == 401:
                raise ConnectorError(
                    f"Total Expert HTTP 401 with a new token: {excerpt(response)}",
                    permanent=True,
                    status=401,
                    credentials=True,
                )
        if missing_ok and response.status_code == 404:
            return None
        raise_for_status(response)
        return _json(response)

    def _auth(self, *, fresh: bool) -> dict:
        return {"Authorization": f"Bearer {self.token(fresh=fresh)}"}

    def token(self, *, fresh: bool = False) -> str:
        token = None if fresh else cache.get(self.token_cache_key)
        if token:
            return token
        response = self._send(
            "POST", "/v1/token", json={"grant_type": "client_credentials"}, auth=self.credentials
        )
        if response.status_code in (400, 401, 403):
            raise ConnectorError(
                f"Total Expert refused the client credentials: {excerpt(response)}",
                permanent=True,
                status=response.status_code,
                credentials=True,
            )
        raise_for_status(response)
        body = _json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise ConnectorError("Total Expert's token answer had no access_token.", permanent=False)
        lifetime = int(body.get("expires_in") or DEFAULT_TOKEN_LIFETIME_SECONDS)
        cache.set(self.token_cache_key, token, max(lifetime - TOKEN_EXPIRY_MARGIN_SECONDS, 30))
        return token

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        try:
            return self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except safe_http.UnsafeUrl as error:
            raise ConnectorError(f"Total Expert base URL refused: {error}", permanent=True) from error
        except requests.RequestException as error:
            raise ConnectorError(f"Total Expert unreachable: {error}", permanent=False) from error


class VettedAddressAdapter(HTTPAdapter):
    """Connects to the address safe_http vetted for the URL's host (checked on every request),
    sending the host name as the Host header and, over TLS, as SNI and for the certificate check:
    a DNS answer that changes after the check cannot point the call somewhere private."""

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        target = safe_http.resolve_url(request.url)
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = target.addresses[0]
        request.headers["Host"] = target.host_header
        if target.scheme == "https":
            pool_kwargs["server_hostname"] = target.host
            pool_kwargs["assert_hostname"] = target.host
        return host_params, pool_kwargs


def api_root(base_url: str) -> str:
    """The host part: paths carry /v1 (a base URL given with /v1, as some docs write it, works too)."""
    root = base_url.strip().rstrip("/")
    return root.removesuffix("/v1")


def raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = f"Total Expert HTTP {status}: {excerpt(response)}"
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers)
        raise ConnectorError(detail, permanent=False, status=status, retry_after=retry_after)
    raise ConnectorError(detail, permanent=True, status=status)


def excerpt(response: requests.Response) -> str:
    return response.text[:300]


def _json(response: requests.Response):
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise ConnectorError(
            f"Total Expert answered without JSON: {excerpt(response)}", permanent=True
        ) from None


def _segment(identifier: str) -> str:
    """An id as one path segment, whatever it holds (ids also arrive in webhook bodies)."""
    return quote(str(identifier), safe="")
