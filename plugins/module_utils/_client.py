# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP layer of the collection.

Session, auth header, per-request timeout, TLS, the retry policy and the
error messages live here once; the Hypersender and On-Premises layers and every
module and lookup go through :class:`ApiClient`.
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import math
import os
import random
import re
import threading
import time
import traceback
from urllib.parse import quote, urlsplit, urlunsplit

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    import urllib3
except ImportError:  # pragma: no cover - exercised through the missing-library message
    requests = urllib3 = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

HAS_REQUESTS = requests is not None

COLLECTION_VERSION = "0.2.0"
USER_AGENT = "hypersender.whatsapp/%s (Ansible collection)" % COLLECTION_VERSION

# Responses worth a retry: rate limited, and the server-side failures a
# gateway or load balancer gives while a service restarts.
RETRYABLE_STATUS_CODES = frozenset((429, 500, 502, 503, 504))

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
# Without a deadline, a Retry-After longer than this is not waited for: the
# Hypersender limit window is one minute, so a longer ask means something else.
MAX_RETRY_AFTER_WITHOUT_DEADLINE = 60.0
# The least a 429 makes the collection wait before the next request to the endpoint, whatever its Retry-After says
# ("0", a date in the past, nothing): a server that says "retry now" must not get a flood. Each service declares the
# windows its documentation gives (RateLimitWindow); an endpoint it does not declare gets this floor.
DEFAULT_RATE_LIMIT_FLOOR = 6.0
# A request gets at least this long even when the deadline is closer.
MIN_REQUEST_TIMEOUT = 1.0
BODY_EXCERPT_LENGTH = 80
# What is quoted of a server's own words (a JSON "message") in an error, at most.
DETAIL_LENGTH = 300
# A response body larger than this is refused: the biggest documented answer, the list of a
# 10,000-instance account, is about 3 MB.
MAX_BODY_BYTES = 16 * 1024 * 1024
READ_CHUNK = 64 * 1024
# Sane bounds of the numeric options, checked before any request.
MAX_TIMEOUT = 3600.0
MAX_RETRIES = 10
# What a rate-limited caller can do: named by the caller, which knows its own options (a module's wait_sleep).
DEFAULT_RATE_LIMIT_HINT = "send requests less often or run fewer of them against this account at once"
PROXY_VARIABLES = ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")


class OptionError(ValueError):
    """A user-supplied option is invalid; raised before any request is sent.

    ``option``, ``value`` and ``expected`` (what it must be) are the facts of the message, for a caller that words
    it with its own names (a role its variables); None where a check does not give them (never a secret's value).
    """

    def __init__(self, message, option=None, value=None, expected=None):
        super().__init__(message)
        self.option = option
        self.value = value
        self.expected = expected


class ApiError(Exception):
    """A request failed. ``str(error)`` is a complete message for the user."""

    retryable = False

    def __init__(self, message, status=None, retry_after=None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class AuthenticationError(ApiError):
    """The credentials were rejected (HTTP 401 or 403)."""


class NotFoundError(ApiError):
    """HTTP 404."""


class RateLimitedError(ApiError):
    """HTTP 429 (or a service's own rate-limit answer).

    ``retry_after`` is the least wait before the next request to the endpoint: what the server asked
    (``asked``, None if it said nothing usable) but never less than the endpoint's rate-limit floor.
    """

    retryable = True
    asked = None


class ServerError(ApiError):
    retryable = True


class TransportError(ApiError):
    """No usable response: refused, unreachable, timed out, cut off.

    ``request_sent`` is False only when the connection was never made (refused,
    host not found, connect timeout): then the server cannot have acted on it.
    """

    retryable = True
    request_sent = True


class TlsError(ApiError):
    """The TLS handshake or certificate verification failed."""


class ResponseFormatError(ApiError):
    """The server answered, but not with what the API documents."""


def validate_base_url(url, option="api_url"):
    """Return ``url`` without a trailing slash, or raise :class:`OptionError`."""
    if not isinstance(url, str) or not url.strip():
        raise OptionError("%s is empty: give the API's base URL, e.g. https://host/path" % option)
    url = url.strip()
    if re.search(r"\s", url):
        raise OptionError("%s %r contains white space" % (option, safe_url(url)))
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise OptionError("%s %r cannot be parsed as a URL (%s)" % (option, body_excerpt(safe_url(url)), exc)) from None
    try:
        parts.port  # pylint: disable=pointless-statement
    except ValueError:
        raise OptionError("%s %r has an invalid port" % (option, safe_url(url))) from None
    if "@" in parts.netloc:
        raise OptionError(
            "%s %r contains a user name or password (user:password@): give the credential in its own "
            "option, never in the URL" % (option, safe_url(url))
        )
    if parts.scheme not in ("http", "https"):
        raise OptionError("%s %r must start with https:// (or http://)" % (option, safe_url(url)))
    if not parts.hostname:
        raise OptionError("%s %r has no host name" % (option, safe_url(url)))
    if parts.query or parts.fragment:
        raise OptionError("%s %r must not contain a query string or fragment" % (option, safe_url(url)))
    return url.rstrip("/")


def safe_url(url):
    """``url`` with any user:password@ part removed, fit for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//***@", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


def validate_number(value, option, minimum=0.0, maximum=MAX_TIMEOUT, above_minimum=False, integer=False):
    """``value`` as a float (or int), finite and within bounds, or :class:`OptionError` naming ``option``."""
    kind = "a whole number" if integer else "a number of seconds"
    bounds = "%s %g and at most %g" % ("above" if above_minimum else "at least", minimum, maximum)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise OptionError(
            "%s must be %s, %s; got %r" % (option, kind, bounds, body_excerpt(str(value))),
            option=option,
            value=body_excerpt(str(value)),
            expected="%s, %s" % (kind, bounds),
        ) from None
    if (
        not math.isfinite(number)
        or number < minimum
        or number > maximum
        or (above_minimum and number == minimum)
        or (integer and number != int(number))
    ):
        raise OptionError(
            "%s must be %s, %s; got %s" % (option, kind, bounds, body_excerpt(str(value))),
            option=option,
            value=body_excerpt(str(value)),
            expected="%s, %s" % (kind, bounds),
        )
    return int(number) if integer else number


def validate_connection_numbers(options):
    """timeout and retries from a service's options, checked; None where not given."""
    timeout, retries = options.get("timeout"), options.get("retries")
    if timeout is not None:
        timeout = validate_number(timeout, "timeout", 0.0, MAX_TIMEOUT, above_minimum=True)
    if retries is not None:
        retries = validate_number(retries, "retries", 0, MAX_RETRIES, integer=True)
    return timeout, retries


def check_finite_floats(spec, values):
    """Every option of type float in ``spec`` finite in ``values``, or :class:`OptionError` naming the first that is not.

    ``spec`` is a module's argument spec or a plugin's option definitions (name -> ``{"type": ...}``, with
    ``options`` for the sub-options of a dict or list option); a float option is never NaN or infinite, whatever
    its own bounds: NaN passes every comparison (a wait that never ends, a poll loop that never sleeps).
    """
    for name, definition in (spec or {}).items():
        value = (values or {}).get(name)
        if value is None or not isinstance(definition, dict):
            continue
        if definition.get("type") == "float" and isinstance(value, (int, float)) and not math.isfinite(value):
            raise OptionError("%s must be a finite number, got %s" % (name, value))
        if definition.get("options"):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, dict):
                    check_finite_floats(definition["options"], item)


def validate_ca_path(path):
    """A ca_path that exists and is readable, or :class:`OptionError`."""
    if path in (None, ""):
        return None
    path = os.path.expanduser(str(path))
    if not os.path.exists(path):
        raise OptionError(
            "ca_path %r does not exist: give the path of the CA bundle (PEM) that signed the server's "
            "certificate" % body_excerpt(path)
        )
    if not os.access(path, os.R_OK):
        raise OptionError("ca_path %r cannot be read by this user" % body_excerpt(path))
    return path


def basic_credential(username, password):
    """The value after "Basic " for ``username`` and ``password``, as requests sends it (latin-1)."""
    return base64.b64encode(("%s:%s" % (username, password)).encode("latin-1")).decode("ascii")


def validate_secret(value, option, env_var, min_length=1, max_length=None):
    """Check a token or key before it goes into a header; never echo it."""
    if value is None or not str(value).strip():
        raise OptionError(
            "%s is empty: set %s or the %s environment variable" % (option, option, env_var), option=option
        )
    value = str(value)
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        raise OptionError("%s contains white space or control characters: check the value in %s" % (option, env_var))
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise OptionError(
            "%s contains a character an HTTP header cannot carry (outside latin-1): check the value in %s, "
            "it may have been pasted with a typographic character" % (option, env_var)
        ) from None
    if len(value) < min_length or (max_length is not None and len(value) > max_length):
        raise OptionError(
            "%s must be %d to %d characters long, the given one has %d: check %s"
            % (option, min_length, max_length, len(value), env_var)
        )
    return value


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if value is None:
        return None
    value = value.strip()
    if re.match(r"^\d+(\.\d+)?$", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt, rand=random.random):
    """Exponential backoff with equal jitter: half fixed, half random, capped."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt))
    return ceiling / 2 + rand() * ceiling / 2


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# Credentials in a server's text that the collection never held (another user's token in an echoed header, a
# query string): the scheme or field name stays, the value is masked. A value is token-like: 8 characters or more,
# at least one of them a digit or a symbol (so that "Basic authentication required" stays as it is).
_TOKEN_LIKE = r"(?=[A-Za-z0-9._~+/=|:-]*[0-9._~+/=|:-])[A-Za-z0-9._~+/=|:-]{8,}"
_CREDENTIAL_SHAPES = (
    re.compile(r"(?i)\b(bearer|basic|apikey)(\s+)" + _TOKEN_LIKE),
    re.compile(r"(?i)\b(access_token|api_token|api_key|password|qr_code)([\"']?\s*[:=]\s*[\"']?)" + _TOKEN_LIKE),
)
# Fields of a response that hold a secret the collection learns (an instance's access token, a QR code, an
# On-Premises login token): their values are masked in every message from then on.
SECRET_FIELDS = frozenset(("access_token", "qr_code", "token"))
# A learned value shorter than this is not taken for a secret (it would mask common words in every message).
MIN_LEARNED_SECRET = 8
MASK = "********"


class Redactor:
    """The one redaction of the collection: every secret this process knows, masked in every message.

    The clients register what they hold (tokens, keys, passwords) and what they learn from responses
    (:data:`SECRET_FIELDS`); :func:`body_excerpt`, :func:`clean_text` and :func:`describe`, which every excerpt of a
    server's body goes through whatever the plugin kind, mask them (and credential-shaped text) *before* cutting the
    excerpt, so that no part of a secret is left at the cut. One per process (:data:`REDACTOR`): an excerpt made
    by a parser, a module or a plugin outside the client is masked all the same.
    """

    PREFIX = 8

    def __init__(self):
        self._lock = threading.Lock()
        self._known = set()
        self._by_start = {}  # the first PREFIX characters of a secret -> the secrets that start so, longest first
        self._short = ()  # secrets shorter than PREFIX
        self.longest = 0

    def add(self, secret, min_length=1):
        """Mask ``secret`` from now on, and the forms a server may echo it in (URL-encoded, JSON-escaped)."""
        self._add_all([secret], min_length)

    def learn(self, body):
        """Register the values of :data:`SECRET_FIELDS` anywhere in a decoded JSON ``body``."""
        found = []
        stack = [body]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                for key, item in value.items():
                    if key in SECRET_FIELDS and isinstance(item, str):
                        found.append(item)
                    elif isinstance(item, (dict, list)):
                        stack.append(item)
            elif isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, (dict, list)))
        self._add_all(found, MIN_LEARNED_SECRET)

    def _add_all(self, secrets, min_length):
        forms = set()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= max(1, min_length) and secret not in self._known:
                forms.update((secret, quote(secret, safe=""), secret.replace("/", "\\/"), json.dumps(secret)[1:-1]))
        with self._lock:
            forms -= self._known
            if not forms:
                return
            self._known |= forms
            grouped = {}
            for form in forms:
                if len(form) >= self.PREFIX:
                    grouped.setdefault(form[: self.PREFIX], []).append(form)
            by_start = dict(self._by_start)
            for start, added in grouped.items():
                by_start[start] = tuple(sorted(by_start.get(start, ()) + tuple(added), key=len, reverse=True))
            self._by_start = by_start
            self._short = tuple(
                sorted((form for form in self._known if len(form) < self.PREFIX), key=len, reverse=True)
            )
            self.longest = max(self.longest, max(len(form) for form in forms))

    def redact(self, text):
        """``text`` with every known secret masked: at each position the longest secret that starts there, in one
        pass whatever the number of secrets (an account's list teaches thousands of access tokens)."""
        text = str(text)
        by_start = self._by_start
        if by_start:
            parts, start, position, end = [], 0, 0, len(text) - self.PREFIX + 1
            while position < end:
                for secret in by_start.get(text[position : position + self.PREFIX], ()):
                    if text.startswith(secret, position):
                        parts.extend((text[start:position], MASK))
                        position = start = position + len(secret)
                        break
                else:
                    position += 1
            text = "".join(parts) + text[start:]
        for secret in self._short:
            text = text.replace(secret, MASK)
        return text

    def quote(self, text, limit):
        """Server text fit to quote: escape sequences removed, other unprintable characters as ``?``, known
        secrets and credential-shaped values masked, then cut at ``limit`` characters (``...`` marks the cut)."""
        text = str(text or "")
        # Only the start is read (a body may be megabytes); its end is dropped, since the read may split a secret.
        read = limit * 4 + 2 * (self.longest + 64)
        cut_short = len(text) > read
        text = _ANSI.sub("", text[:read])
        text = "".join(char if char.isprintable() else "?" for char in text)
        if cut_short:
            text = text[: len(text) - self.longest - 64]
        text = self.redact(text)
        for shape in _CREDENTIAL_SHAPES:
            text = shape.sub(lambda match: match.group(1) + match.group(2) + MASK, text)
        if len(text) > limit or cut_short:
            return text[:limit] + "..."
        return text

    def clear(self):
        """Forget every secret (for tests)."""
        with self._lock:
            self._known = set()
            self._by_start = {}
            self._short = ()
            self.longest = 0


REDACTOR = Redactor()


def clean_text(text, limit=DETAIL_LENGTH):
    """Server text fit to quote (:meth:`Redactor.quote`): printable, secrets masked, capped."""
    return REDACTOR.quote(text, limit)


def body_excerpt(text):
    """The first bytes of a body, printable ASCII and secrets masked, for an error message."""
    return re.sub(r"[^\x20-\x7e]", "?", REDACTOR.quote(text, BODY_EXCERPT_LENGTH))


def describe(value):
    """What a decoded body (or part of one) was, for a message: its kind, an object's keys, or a short excerpt.

    An object's values are never quoted: an answer that lacks the expected field may still carry an access
    token or a QR code.
    """
    if isinstance(value, dict):
        return "an object with keys %s" % (", ".join(sorted(body_excerpt(str(key)) for key in value)) or "none")
    if isinstance(value, list):
        return "an array of %d items" % len(value)
    if value is None:
        return "null or an empty body"
    return "a %s %r" % (type(value).__name__, body_excerpt(str(value)))


def error_detail(body):
    """The server's own words from a decoded error body: a JSON object's ``message``, cleaned and capped.

    The default error reader; a service whose error bodies say more passes its own (``error_reader``).
    """
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return clean_text(body["message"])
    return None


class RateLimitWindow:
    """An endpoint's documented rate limit: ``requests`` per ``seconds`` for ``method`` (None: any) on the paths
    ``path`` (a regular expression searched in the path under the base URL) matches.

    After a 429 the next request to it waits at least :attr:`floor`, the window's share of one request, whatever
    the server's Retry-After says.
    """

    def __init__(self, method, path, requests_allowed, seconds):
        self.method = method.upper() if method else None
        self.path = re.compile(path)
        self.requests_allowed = requests_allowed
        self.seconds = float(seconds)

    @property
    def floor(self):
        return self.seconds / self.requests_allowed

    def matches(self, method, path):
        return (self.method is None or self.method == method.upper()) and self.path.search(path) is not None

    def __str__(self):
        return "%d request%s per %g s" % (
            self.requests_allowed,
            "" if self.requests_allowed == 1 else "s",
            self.seconds,
        )


class _HeaderAuth:
    """requests auth that sets the collection's Authorization header.

    Given to the session as its auth, it keeps requests from reading ~/.netrc (or $NETRC) and from using a URL's
    user:password, which would replace the header, while proxies from the environment still apply.
    """

    def __init__(self, header=None):
        self.header = header

    def __call__(self, request):
        if self.header:
            request.headers["Authorization"] = self.header
        else:
            request.headers.pop("Authorization", None)
        return request


class ApiClient:
    """A small JSON-over-HTTPS client with retries inside a deadline.

    ``service`` names the API in messages; ``auth_hint`` says what to check
    when credentials are rejected (it must name options and variables, never
    values). ``error_reader(body)`` returns the server's own words from a
    decoded error body (default :func:`error_detail`).
    ``error_classifier(status, body, where, headers)``, if given, reads a
    service's own error body first: it returns an :class:`ApiError` (raised,
    redacted, and retried if it is retryable) or None for the generic mapping.
    ``rate_limit_hint`` says what to do when rate limited, in the caller's own
    option names (a lookup has no wait_sleep).

    The client is a context manager: ``with build_client(...) as client:``
    closes its session (and its pooled connections) at the end.

    Every request has a total deadline: ``timeout`` seconds for connecting,
    the headers and the whole body together, cut to the caller's ``deadline``
    when there is one; a body larger than :data:`MAX_BODY_BYTES` is refused.
    """

    def __init__(
        self,
        base_url,
        auth_header,
        service,
        auth_hint,
        timeout=DEFAULT_TIMEOUT,
        validate_certs=True,
        ca_path=None,
        retries=DEFAULT_RETRIES,
        clock=time.monotonic,
        sleep=time.sleep,
        rand=random.random,
        error_reader=None,
        error_classifier=None,
        rate_limit_hint=DEFAULT_RATE_LIMIT_HINT,
        rate_limit_windows=(),
    ):
        self.base_url = base_url.rstrip("/")
        self.error_classifier = error_classifier
        self.service = service
        self.auth_hint = auth_hint
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.requests_sent = 0
        self.error_reader = error_reader or error_detail
        self.rate_limit_hint = rate_limit_hint
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        self.redactor = REDACTOR
        self.rate_limit_windows = tuple(rate_limit_windows)
        self._auth = _HeaderAuth()
        self._session = requests.Session()
        self._session.headers.update(
            {"Accept": "application/json", "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        )
        self._session.auth = self._auth
        if auth_header:
            self.set_auth_header(auth_header)
        # Passed with every request: a Session-level verify would lose to
        # REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the environment.
        self.verify = (ca_path or True) if validate_certs else False

    @property
    def auth_header(self):
        """The Authorization header every request carries (None before a login)."""
        return self._auth.header

    def sleep_out_retry_after(self, error, deadline, attempt=None):
        """Sleep until ``error``'s Retry-After has passed if a new attempt still fits before ``deadline``.

        For callers that send one request inside a deadline outside a poll loop
        (an action, a canary's send). With ``attempt`` (how many retries were
        made already), at most ``retries`` retries are made, and an error
        without a Retry-After (or the endpoint's 429 floor) waits the client's
        jittered backoff instead. False, without sleeping, when there is no
        delay to wait or it reaches past the deadline: then the caller raises
        ``error``, whose message then says how long is left and when to retry.
        """
        if attempt is not None and attempt >= self.retries:
            return False
        delay = error.retry_after
        if delay is None and attempt is not None:
            delay = backoff_delay(attempt, self._rand)
        if delay is None or deadline is None:
            return False
        left = deadline - self._clock()
        if delay > left:
            error.args = (
                "%s; the deadline leaves %s s, less than that, so it was not sent again: retry in %s s"
                % (error, _seconds(max(0.0, left)), _seconds(delay)),
            )
            return False
        self._sleep(delay)
        return True

    def rate_limit_floor(self, method, path):
        """(seconds, window) a 429 from ``method path`` makes the next request wait at least; window may be None."""
        for window in self.rate_limit_windows:
            if window.matches(method, path):
                return window.floor, window
        return DEFAULT_RATE_LIMIT_FLOOR, None

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False

    def add_secret(self, secret):
        """Register a value that must never appear in a message (e.g. a login token): see :class:`Redactor`."""
        self.redactor.add(secret)

    def set_auth_header(self, auth_header):
        self.add_secret(auth_header.split(" ", 1)[-1])
        self._auth.header = auth_header

    def get_json(self, path, params=None, deadline=None):
        return self.request_json("GET", path, params=params, deadline=deadline)

    def request_json(self, method, path, params=None, deadline=None, auth=None, json_body=None):
        """Send a request, retrying transient failures; return the decoded JSON body.

        ``deadline`` is a value of the client's clock, given by a poll loop:
        the request ends by it, and the client does not retry on its own (the
        poll loop paces the requests and honours ``retry_after``). Without a
        deadline, transient failures are retried up to ``retries`` times.
        ``auth`` is a (username, password) pair for HTTP Basic on this request.
        ``json_body`` is sent as the JSON request body.

        A POST changes something and may not be repeatable (a second
        create-instance, a second restart), so it is retried only when the
        server certainly did not act on it: HTTP 429 (the rate limiter refuses
        before the action runs) and a connection that was never made (refused,
        host not found, connect timeout). A 5xx, a read timeout or a cut-off
        answer may come after the action happened: they are raised at once.
        """
        if isinstance(auth, tuple):
            self.add_secret(basic_credential(*auth))
            self.add_secret(auth[1])
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, params, deadline, auth, json_body)
            except ApiError as error:
                if method.upper() == "POST" and not _not_acted_on(error):
                    raise
                delay = None if deadline is not None else self._retry_delay(error, attempt)
                if delay is None:
                    raise
                self._sleep(delay)
                attempt += 1

    def _retry_delay(self, error, attempt):
        """Seconds to wait before retrying ``error``, or None to give up."""
        if not error.retryable or attempt >= self.retries:
            return None
        if error.retry_after is not None:
            if error.retry_after > MAX_RETRY_AFTER_WITHOUT_DEADLINE:
                return None
            return error.retry_after + self._rand() * 0.5
        return backoff_delay(attempt, self._rand)

    def _send_once(self, method, path, params, deadline, auth, json_body=None):
        url = self.base_url + path
        where = "%s %s" % (method, safe_url(url))
        timeout = self.timeout
        if deadline is not None:
            timeout = max(MIN_REQUEST_TIMEOUT, min(timeout, deadline - self._clock()))
        until = self._clock() + timeout
        self.requests_sent += 1
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                timeout=timeout,
                auth=auth,
                verify=self.verify,
                stream=True,
                allow_redirects=False,
                **({} if json_body is None else {"json": json_body}),
            )
        except requests.exceptions.RequestException as exc:
            raise self._transport_error(exc, where, url, timeout) from None
        try:
            text = self._read_body(response, until, where, timeout)
        finally:
            response.close()
        return self._decode(response, text, where, method, path)

    def _transport_error(self, exc, where, url, timeout):
        """The :class:`ApiError` for a request that got no response."""
        cause = _root_cause(exc)
        if isinstance(exc, requests.exceptions.SSLError):
            if re.search(
                r"WRONG_VERSION_NUMBER|wrong version number|record layer failure|packet length too long", str(exc), re.I
            ):
                return TlsError(
                    self._redact(
                        "%s: the server did not answer in TLS: the URL says https://, but this port seems to serve plain "
                        "HTTP; use http:// in the URL or the port that serves HTTPS (ca_path and validate_certs cannot "
                        "help here)" % where
                    )
                )
            return TlsError(
                self._redact(
                    "%s: TLS verification failed (%s). If the server uses a private or self-signed certificate, "
                    "set ca_path to the CA bundle (PEM) that signed it; validate_certs: false disables the check "
                    "(not for production)" % (where, cause)
                )
            )
        if isinstance(exc, requests.exceptions.ProxyError):
            return TransportError(
                self._redact(
                    "%s: cannot connect through the proxy %s (%s): check the proxy, or add this host to NO_PROXY"
                    % (where, _proxy_for(url), cause)
                )
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            error = TransportError(
                "%s: could not connect within %g s: the service is unreachable; check the network" % (where, timeout)
            )
            error.request_sent = False
            return error
        if isinstance(exc, requests.exceptions.Timeout):
            return TransportError(
                "%s: no response within %g s: the service is slow or unreachable; "
                "raise timeout or check the network" % (where, timeout)
            )
        if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
            return TransportError(self._redact("%s: the response was cut off (%s)" % (where, cause)))
        if isinstance(exc, requests.exceptions.ConnectionError):
            error = TransportError(
                self._redact(
                    "%s: cannot connect (%s): check the URL and that the service is reachable from this host"
                    % (where, cause)
                )
            )
            error.request_sent = not _never_connected(exc)
            return error
        return ApiError(self._redact("%s: request failed (%s)" % (where, cause)))

    def _read_body(self, response, until, where, timeout):
        """The whole body as text, read before ``until`` and within :data:`MAX_BODY_BYTES`."""
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise ResponseFormatError(
                "%s: the response announces %s bytes, more than the %d MiB this collection reads: "
                "is the URL the %s base URL?" % (where, declared, MAX_BODY_BYTES >> 20, self.service)
            )
        raw = response.raw
        if getattr(raw, "decode_content", None) is False:
            raw.decode_content = True  # a server that compresses although asked not to
        read = getattr(raw, "read1", None) or raw.read
        sock = getattr(getattr(raw, "_connection", None), "sock", None)
        chunks, size = [], 0
        while True:
            remaining = until - self._clock()
            if remaining <= 0:
                raise self._too_slow(where, timeout, size)
            try:
                if sock is not None:
                    sock.settimeout(remaining)  # one read never outlasts the request's deadline
                chunk = read(READ_CHUNK)
            except (OSError, ValueError, http.client.HTTPException, urllib3.exceptions.HTTPError) as exc:
                if "timed out" in str(exc) or isinstance(exc, (urllib3.exceptions.ReadTimeoutError, TimeoutError)):
                    raise self._too_slow(where, timeout, size) from None
                raise TransportError(
                    self._redact("%s: the response was cut off after %d bytes (%s)" % (where, size, _root_cause(exc)))
                ) from None
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ResponseFormatError(
                    "%s: the response is larger than the %d MiB this collection reads: is the URL "
                    "the %s base URL?" % (where, MAX_BODY_BYTES >> 20, self.service)
                )
            chunks.append(chunk)
        return b"".join(chunks).decode(response.encoding or "utf-8", "replace")

    @staticmethod
    def _too_slow(where, timeout, size):
        return TransportError(
            "%s: no complete response within %g s (the body came too slowly; %d bytes by then): "
            "the service is slow or overloaded; raise timeout or check the network" % (where, timeout, size)
        )

    def _decode(self, response, text, where, method="GET", path=""):
        try:
            body = json.loads(text) if text else None
            decoded = True
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
            body = None
            decoded = False
        status = response.status_code
        if 200 <= status < 300:
            if not decoded:
                content_type = response.headers.get("Content-Type", "no content type")
                raise ResponseFormatError(
                    self._redact(
                        "%s: expected a JSON body, got %s starting %r: is the URL the %s base URL?"
                        % (where, body_excerpt(content_type), body_excerpt(text), self.service)
                    )
                )
            self.redactor.learn(body)
            return body
        classified = (
            self.error_classifier(status, body, where, response.headers) if self.error_classifier and decoded else None
        )
        if classified is not None:
            if isinstance(classified, RateLimitedError):
                asked = classified.retry_after
                floor, window = self.rate_limit_floor(method, path)
                classified.asked, classified.retry_after = asked, max(floor, asked or 0.0)
                raised = "" if asked is not None and asked >= floor else _floor_clause(floor, window)
                classified.args = ("%s%s: %s" % (classified, raised, self.rate_limit_hint),)
            classified.args = (self._redact(str(classified)),)
            raise classified
        detail = self.error_reader(body) if decoded else None
        said = " (%s)" % clean_text(detail) if detail else ""
        if not decoded and text:
            said = " (body starts %r)" % body_excerpt(text)
        said = self._redact(said)
        if 300 <= status < 400:
            location = response.headers.get("Location")
            raise ApiError(
                self._redact(
                    "%s: the server redirects (HTTP %d)%s: set the URL to the one it should be; the collection does not "
                    "follow redirects, so the credential never goes to another address"
                    % (where, status, " to %s" % clean_text(safe_url(location), 200) if location else "")
                ),
                status=status,
            )
        if status in (401, 403):
            raise AuthenticationError(
                "%s: the %s rejected the credentials (HTTP %d)%s: %s"
                % (where, self.service, status, said, self.auth_hint),
                status=status,
            )
        if status == 404:
            raise NotFoundError("%s: not found (HTTP 404)%s" % (where, said), status=status)
        if status == 429:
            asked = parse_retry_after(response.headers.get("Retry-After"))
            floor, window = self.rate_limit_floor(method, path)
            if asked is None:
                wait = "; it gave no usable Retry-After%s" % _floor_clause(floor, window)
            elif asked < floor:
                wait = "; it asks to retry after %s s%s" % (_seconds(asked), _floor_clause(floor, window))
            else:
                wait = "; it asks to retry after %s s" % _seconds(asked)
            error = RateLimitedError(
                "%s: rate limited by the %s (HTTP 429)%s%s: %s"
                % (where, self.service, said, wait, self.rate_limit_hint),
                status=status,
                retry_after=max(floor, asked or 0.0),
            )
            error.asked = asked
            raise error
        if status >= 500:
            raise ServerError(
                "%s: server error (HTTP %d)%s: the %s is failing; retry later" % (where, status, said, self.service),
                status=status,
                retry_after=parse_retry_after(response.headers.get("Retry-After")) if status == 503 else None,
            )
        raise ApiError("%s: unexpected HTTP %d%s" % (where, status, said), status=status)

    def _redact(self, text):
        return self.redactor.redact(text)


def _seconds(value):
    """300.0 -> '300', 2.54 -> '2.5' (as _wait.format_seconds)."""
    return "%g" % round(value, 1)


def _floor_clause(floor, window):
    """Why the next request waits longer than a 429 asked: the endpoint's documented window, or the least wait."""
    if window is None:
        return "; the next request waits at least %s s, the least wait after a 429" % _seconds(floor)
    return "; this endpoint allows %s, so the next request waits at least %s s" % (window, _seconds(floor))


def _proxy_for(url):
    """The proxy requests takes from the environment for ``url``, and the variable that set it, for messages."""
    proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url)) or "from the environment"
    names = [name for name in PROXY_VARIABLES if os.environ.get(name) == proxy]
    return "%s%s" % (safe_url(proxy), " (set by %s)" % names[0] if names else "")


def _not_acted_on(error):
    """True when the server cannot have acted on a request that failed with ``error``."""
    return isinstance(error, RateLimitedError) or (isinstance(error, TransportError) and not error.request_sent)


def _never_connected(exc):
    """True if a requests ConnectionError happened while opening the connection (nothing was sent)."""
    seen = set()
    cause = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if type(cause).__name__ in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError"):
            return True
        wrapped = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        cause = getattr(cause, "reason", None) or cause.__cause__ or cause.__context__ or wrapped
    return False


def _root_cause(exc):
    """The innermost reason of a requests/urllib3 exception, in a few words."""
    seen = set()
    cause = exc
    while True:
        nested = getattr(cause, "reason", None) or cause.__cause__ or cause.__context__
        if nested is None or id(nested) in seen or not isinstance(nested, BaseException):
            break
        seen.add(id(nested))
        cause = nested
    text = str(cause) or cause.__class__.__name__
    for pattern, plain in (
        (r"Connection refused", "connection refused"),
        (
            r"Name or service not known|nodename nor servname|getaddrinfo failed|Temporary failure in name resolution",
            "host name not found",
        ),
        (r"CERTIFICATE_VERIFY_FAILED[^)]*?:\s*([^()]+?)(?:\s*\(|$)", None),
        (r"timed out", "timed out"),
    ):
        match = re.search(pattern, text)
        if match:
            return plain or "certificate verify failed: " + match.group(1).strip()
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:?\s*", "", text)
    return body_excerpt(text)
