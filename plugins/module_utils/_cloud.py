# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""WhatsApp Cloud API (Graph API): options, the Graph error reader, the pager, the calls. Parsers and rules:
_cloud_rules."""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import parse_qsl, urlsplit

from ansible_collections.hypersender.whatsapp.plugins.module_utils._client import (
    ApiClient,
    ApiError,
    AuthenticationError,
    NotFoundError,
    OptionError,
    RateLimitedError,
    RateLimitWindow,
    ResponseFormatError,
    ServerError,
    safe_url,
    validate_base_url,
    validate_secret,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._cloud_rules import (
    AUTH_FAILED,
    ERROR,
    NO_TOKEN_CODE,
    NUMBER_FIELDS,
    PERMISSION_DENIED,
    RATE_LIMITED,
    TEMPORARY,
    TOKEN_REJECTED,
    UNKNOWN_OBJECT,
    graph_error_kind,
    parse_page,
    parse_phone_number,
    report,
    text,
    token_rejection,
    waiting_cannot_fix,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._transport import (
    Service,
    ServiceApi,
    transport_argument_spec,
    validate_transport,
    where_set,
    with_fallbacks,
)
from ansible_collections.hypersender.whatsapp.plugins.module_utils._wait import (
    DONE,
    FAILED,
    Watch,
    explain_not_ready,
    format_seconds,
)

SERVICE = "WhatsApp Cloud API"
DEFAULT_API_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
TOKEN_ENV = "WA_CLOUD_TOKEN"
URL_ENV = "WA_CLOUD_API_URL"
WABA_ENV = "WA_CLOUD_WABA_ID"
# Option -> environment variable: the module's env fallbacks, which the lookup binds late.
ENV_FALLBACKS = {"api_url": URL_ENV, "api_token": TOKEN_ENV, "waba_id": WABA_ENV}
# Meta allows an app 200 management calls an hour per WABA by default (more once a number is registered):
# a wait polls at most this often by default.
MANAGEMENT_CALLS_PER_HOUR = 200
MIN_WAIT_SLEEP = 30.0
# After a rate-limit answer the next Graph call waits at least the hourly budget's share of one call (18 s),
# whatever the answer said.
RATE_LIMIT_WINDOWS = (RateLimitWindow(None, ".", MANAGEMENT_CALLS_PER_HOUR, 3600),)
# The loop guard of a paged read: a list edge of more pages than this is refused (100 pages of 25 numbers).
MAX_PAGES = 100

# The permission a token needs: to read numbers and accounts, and to send messages (Meta's access token guide).
MANAGEMENT_PERMISSION = "whatsapp_business_management"
MESSAGING_PERMISSION = "whatsapp_business_messaging"


# The Graph API error codes and what they mean: _cloud_rules (graph_error_kind), with Meta's pages cited.
def token_hint(permission=MANAGEMENT_PERMISSION):
    return (
        "create a new token for a system user (Meta Business Settings, System users, Generate new token, with the "
        "%s permission; choose 'never' as expiry for a pipeline) and set it as %s"
        % (permission, where_set("cloud", ["api_token"], [TOKEN_ENV]))
    )


def permission_hint(permission=MANAGEMENT_PERMISSION):
    return (
        "the token lacks a permission: give its system user the %s permission and assign it the WhatsApp Business "
        "Account as an asset (Meta Business Settings), then create a new token" % permission
    )


TOKEN_HINT = token_hint()
PERMISSION_HINT = permission_hint()
UNKNOWN_HINT = (
    "check phone_number_id and waba_id: they are the numeric IDs shown in WhatsApp Manager or the app's "
    "WhatsApp API Setup page, not the phone number itself; and that api_version (%s) is one Meta still serves"
)

CONNECTION_ARGUMENT_SPEC = dict(
    api_url=dict(type="str", default=DEFAULT_API_URL),
    api_token=dict(type="str", no_log=True),
    api_version=dict(type="str", default=DEFAULT_API_VERSION),
    **transport_argument_spec(),
)
SELECTION_ARGUMENT_SPEC = dict(
    phone_number_id=dict(type="list", elements="str"),
    waba_id=dict(type="str"),
    allow_limited=dict(type="bool", default=True),
)
CONNECTION_OPTIONS = tuple(CONNECTION_ARGUMENT_SPEC)
SELECTION_OPTIONS = tuple(SELECTION_ARGUMENT_SPEC)
ID_PATTERN = re.compile(r"^[0-9]{1,32}$")
VERSION_PATTERN = re.compile(r"^v[0-9]{1,3}\.[0-9]{1,2}$")


def selection_argument_spec(env_fallback):
    """The module side of the selection options (waba_id falls back to its environment variable)."""
    return with_fallbacks(SELECTION_ARGUMENT_SPEC, ENV_FALLBACKS, env_fallback)


def _graph_id(value, option):
    value = "" if value is None else str(value).strip()
    if not ID_PATTERN.match(value):
        hint = (
            " (that looks like a phone number; give the number's ID from WhatsApp Manager)"
            if value.startswith("+")
            else ""
        )
        raise OptionError(
            "%s %r is not a Graph API ID: expected digits only, e.g. 106540352242922%s"
            % (option, text(value, 40), hint)
        )
    return value


def validate_selection(options):
    """(phone number ids, waba id or None, allow_limited), checked before any request."""
    ids = options.get("phone_number_id") or []
    if isinstance(ids, (str, int)):
        ids = [ids]
    ids = [_graph_id(value, "phone_number_id") for value in ids]
    ids = list(dict.fromkeys(ids))
    waba_id = options.get("waba_id")
    waba_id = _graph_id(waba_id, "waba_id") if waba_id not in (None, "") else None
    if not ids and not waba_id:
        raise OptionError(
            "nothing to check: give phone_number_id (one ID or a list) and/or waba_id (all the numbers of a "
            "WhatsApp Business Account)"
        )
    return ids, waba_id, options.get("allow_limited", True) is not False


def calls_per_poll(ids, waba_id):
    """How many requests one read makes (one page of the WABA's numbers, or one per number)."""
    return 1 if waba_id else len(ids)


def wait_interval(wait_sleep, ids, waba_id):
    """wait_sleep, or by default the interval that keeps a wait within the hourly management-call budget."""
    if wait_sleep is not None:
        return float(wait_sleep)
    return max(MIN_WAIT_SLEEP, calls_per_poll(ids, waba_id) * 3600.0 / MANAGEMENT_CALLS_PER_HOUR)


def budget_warning(wait_sleep, ids, waba_id):
    """A warning when an explicit wait_sleep makes a wait call more often than the hourly budget, else None."""
    per_hour = calls_per_poll(ids, waba_id) * 3600.0 / wait_sleep
    if per_hour <= MANAGEMENT_CALLS_PER_HOUR:
        return None
    # No option named: the verify_cloud role reaches this too, with its own variable for the interval.
    return (
        "polling every %s s makes up to %d Graph API calls an hour, more than the %d an hour Meta allows an app per "
        "WhatsApp Business Account by default: expect rate limiting (code 80007); leave the poll interval unset to "
        "poll within the budget" % (format_seconds(wait_sleep), per_hour, MANAGEMENT_CALLS_PER_HOUR)
    )


def observed_budget_warning(calls, polls, interval):
    """A warning when a wait's reads took more calls than planned (a WABA's list of several pages) and so
    exceeded the hourly budget, else None."""
    if polls < 2 or interval <= 0:
        return None
    per_read = -(-calls // polls)
    if per_read * 3600.0 / interval <= MANAGEMENT_CALLS_PER_HOUR:
        return None
    return (
        "each read took %d Graph API calls (the phone number list has several pages), so polling every %s s makes "
        "up to %d calls an hour, more than the %d an hour Meta allows an app per WhatsApp Business Account by "
        "default: poll every %d s or more"
        % (
            per_read,
            format_seconds(interval),
            per_read * 3600.0 / interval,
            MANAGEMENT_CALLS_PER_HOUR,
            per_read * 3600 // MANAGEMENT_CALLS_PER_HOUR + 1,
        )
    )


class TokenRejectedError(AuthenticationError):
    """Meta rejected the access token (Graph error 190, 102 or 104, or HTTP 401): the outcome AUTH_FAILED."""


class PermissionDeniedError(AuthenticationError):
    """The token is valid but may not read this (Graph error 10 or 200-299): the outcome PERMISSION_DENIED."""


def failure_outcome(error):
    """The outcome of a read that failed with ``error``: AUTH_FAILED, PERMISSION_DENIED, RATE_LIMITED or ERROR.

    A 401 or 403 without a Graph error body (from a proxy, say) is classified by its status.
    """
    if isinstance(error, PermissionDeniedError) or (
        isinstance(error, AuthenticationError) and not isinstance(error, TokenRejectedError) and error.status == 403
    ):
        return PERMISSION_DENIED
    if isinstance(error, AuthenticationError):
        return AUTH_FAILED
    if isinstance(error, RateLimitedError):
        return RATE_LIMITED
    return ERROR


def read_graph_error(status, body, where, headers=None, permission=MANAGEMENT_PERMISSION):
    """A classified :class:`ApiError` from a Graph API error body ``{"error": {message, type, code, ...}}``, or None.

    The error carries Meta's ``code``, ``subcode``, ``title`` (its message) and ``details`` (``error_data.details``)
    for callers that word their own advice by code; ``permission`` is the one the caller's token needs.
    """
    error = _classified(status, body, where, headers, permission)
    if error is not None:
        raw = body["error"]
        details = raw.get("error_data", {}).get("details") if isinstance(raw.get("error_data"), dict) else None
        error.code = raw["code"]
        error.subcode = raw.get("error_subcode") if isinstance(raw.get("error_subcode"), int) else None
        # Graph puts "(#<code>) " before some messages; the title is the rest.
        title = re.sub(r"^\(#[0-9]+\)\s*", "", raw["message"]) if isinstance(raw.get("message"), str) else None
        error.title = text(title, 200) if title else None
        error.details = text(details) if isinstance(details, str) else None
    return error


def _classified(status, body, where, headers, permission):
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or isinstance(error.get("code"), bool) or not isinstance(error.get("code"), int):
        return None
    code = error["code"]
    subcode = error.get("error_subcode")
    subcode = subcode if isinstance(subcode, int) and not isinstance(subcode, bool) else None
    details = error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    parts = ["code %d" % code]
    if subcode is not None:
        parts.append("subcode %d" % subcode)
    if isinstance(error.get("type"), str):
        parts.append(text(error["type"], 60))
    if isinstance(error.get("fbtrace_id"), str):
        parts.append("fbtrace_id %s" % text(error["fbtrace_id"], 60))
    detail = "; %s" % text(details) if isinstance(details, str) and details else ""
    said = "Meta says: %s%s (%s)" % (text(error.get("message") or "no message"), detail, ", ".join(parts))
    head = "%s: HTTP %d, %s" % (where, status, said)
    classified = _classified_graph_error(status, code, subcode, head, headers, where, permission)
    # Meta's own words, for a caller that quotes them apart from the rest of the message (a preflight check's msg).
    classified.graph_error = {
        "code": code,
        "subcode": subcode,
        "message": "%s%s (%s)" % (text(error.get("message") or "no message"), detail, ", ".join(parts[:2])),
    }
    return classified


def _classified_graph_error(status, code, subcode, head, headers, where, permission):
    kind = graph_error_kind(status, code)
    if kind == RATE_LIMITED:
        retry_after = _regain_access_seconds(headers)
        asked = "; Meta asks to wait %s s" % format_seconds(retry_after) if retry_after is not None else ""
        # The client adds what the caller can do about it (its rate_limit_hint).
        return RateLimitedError(
            "%s: rate limited by the %s%s. Calls are retried with backoff" % (head, SERVICE, asked),
            status=status,
            retry_after=retry_after,
        )
    if kind == TOKEN_REJECTED:
        reason = token_rejection(code, subcode)
        return TokenRejectedError(
            "%s: %s%s" % (head, reason, "" if code == NO_TOKEN_CODE else ": " + token_hint(permission)), status=status
        )
    if kind == PERMISSION_DENIED:
        return PermissionDeniedError("%s: %s" % (head, permission_hint(permission)), status=status)
    if kind == UNKNOWN_OBJECT:
        return NotFoundError(
            "%s: an unknown ID, field or path; %s" % (head, UNKNOWN_HINT % _version_in(where)), status=status
        )
    if kind == TEMPORARY:
        return ServerError(
            "%s: a temporary problem at Meta; it is retried, see https://metastatus.com" % head, status=status
        )
    return ApiError(head, status=status)


def _version_in(where):
    match = re.search(r"/(v[0-9]+\.[0-9]+)/", where)
    return match.group(1) if match else "the one given"


def _regain_access_seconds(headers):
    """Seconds from the X-Business-Use-Case-Usage header's estimated_time_to_regain_access (minutes), or None."""
    raw = (headers or {}).get("X-Business-Use-Case-Usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = [entry.get("estimated_time_to_regain_access") for entries in usage.values() for entry in entries]
    except (ValueError, AttributeError, TypeError):
        return None
    minutes = [value for value in minutes if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return float(max(minutes)) * 60 if minutes else None


def connect(options, environ=None, permission=MANAGEMENT_PERMISSION, **client_kwargs):
    """The :class:`CloudApi` for the connection options: a Bearer token, and Graph errors read by
    :func:`read_graph_error`; ``permission`` is the one the token needs for the calls to come (named in the advice
    of a refusal). The environment is read through the fallbacks."""
    base_url = validate_base_url(options.get("api_url") or DEFAULT_API_URL)
    token = validate_secret(options.get("api_token"), "api_token", TOKEN_ENV)
    version = str(options.get("api_version") or DEFAULT_API_VERSION).strip()
    if not VERSION_PATTERN.match(version):
        raise OptionError(
            "api_version %r is not a Graph API version: expected v<major>.<minor>, e.g. %s"
            % (text(version, 20), DEFAULT_API_VERSION)
        )
    transport = validate_transport(options)
    client = ApiClient(
        base_url,
        "Bearer " + token,
        service=SERVICE,
        auth_hint=(
            "check %s: it must be a system user token with the %s permission; create a new one if it was revoked or "
            "has expired" % (where_set("cloud", ["api_token"], [TOKEN_ENV]), permission)
        ),
        error_classifier=functools.partial(read_graph_error, permission=permission),
        rate_limit_windows=RATE_LIMIT_WINDOWS,
        **dict(transport, **client_kwargs),
    )
    return CloudApi(client, version, secrets=[token])


class CloudApi(ServiceApi):
    """The Graph API reads of the collection: a phone number node, a WABA's phone_numbers edge, and the preflight's
    reads (debug_token, the WABA node with its numbers expanded, subscribed_apps, message_templates)."""

    def __init__(self, client, version=DEFAULT_API_VERSION, secrets=()):
        super().__init__(client, secrets)
        self.version = version
        self.fields = ",".join(("id",) + NUMBER_FIELDS)

    def phone_number(self, number_id, deadline=None):
        path = "/%s/%s" % (self.version, number_id)
        try:
            body = self.client.get_json(path, params={"fields": self.fields}, deadline=deadline)
        except NotFoundError as error:
            raise NotFoundError("phone_number_id %s: %s" % (number_id, error), status=error.status) from None
        return parse_phone_number(body, "GET %s" % path)

    def waba_phone_numbers(self, waba_id, deadline=None):
        """Every phone number of the WABA, page after page (:func:`read_pages`)."""
        path = "/%s/%s/phone_numbers" % (self.version, waba_id)
        try:
            items = read_pages(self.client, path, {"fields": self.fields}, deadline)
        except NotFoundError as error:
            raise NotFoundError("waba_id %s: %s" % (waba_id, error), status=error.status) from None
        return [parse_phone_number(item, "GET %s" % path) for item in items]

    def debug_token(self, input_token):
        """``GET /debug_token?input_token=...``: the token's metadata, asked for with this client's token.

        Meta takes the token to inspect only as a query parameter; it goes to api_url alone, and the client masks it
        (and the caller's token) in every message.
        """
        self.client.add_secret(input_token)
        return self.client.get_json("/%s/debug_token" % self.version, params={"input_token": input_token})

    def waba_with_numbers(self, waba_id, number_fields, limit):
        """The WABA node with its phone numbers by field expansion (``phone_numbers.limit(n){fields}``): one call
        for the account and its first ``limit`` numbers, one more per further page of numbers.

        Returns (the node, every number as Meta gave it).
        """
        path = "/%s/%s" % (self.version, waba_id)
        fields = "id,business_verification_status,account_review_status,phone_numbers.limit(%d){%s}" % (
            limit,
            number_fields,
        )
        try:
            node = self.client.get_json(path, params={"fields": fields})
            first = node.get("phone_numbers") if isinstance(node, dict) else None
            numbers = (
                read_pages(
                    self.client,
                    "%s/phone_numbers" % path,
                    {"fields": number_fields, "limit": limit},
                    first_page=first,
                )
                if isinstance(first, dict)
                else []
            )
        except NotFoundError as error:
            raise NotFoundError("waba_id %s: %s" % (waba_id, error), status=error.status) from None
        return node, numbers

    def waba_edge(self, waba_id, edge, params=None):
        """Every item of a list edge of the WABA (``subscribed_apps``, ``message_templates``), page after page."""
        try:
            return read_pages(self.client, "/%s/%s/%s" % (self.version, waba_id, edge), params or {})
        except NotFoundError as error:
            raise NotFoundError("waba_id %s: %s" % (waba_id, error), status=error.status) from None

    def read(self, ids, waba_id, deadline=None):
        """(numbers, missing ids): the WABA's numbers (only ``ids`` if given) or each number in ``ids``."""
        if waba_id:
            numbers = self.waba_phone_numbers(waba_id, deadline)
            if not ids:
                return numbers, []
            by_id = {number["id"]: number for number in numbers}
            return [by_id[number_id] for number_id in ids if number_id in by_id], [i for i in ids if i not in by_id]
        return [self.phone_number(number_id, deadline) for number_id in ids], []


def read_pages(client, path, params=None, deadline=None, max_pages=MAX_PAGES, first_page=None):
    """Every item of a Graph API list edge (``data``), page after page until a page has no ``paging.next``.

    An empty page with a ``paging.next`` is not the end. The next page is asked for on the same path and
    parameters with the page's ``paging.cursors.after``; a page without cursors is followed by its ``paging.next``,
    only under the client's base URL and without the access token Graph puts into it. A page asked for twice, or
    more than ``max_pages`` pages, is a :class:`ResponseFormatError`. ``deadline`` bounds every page's request.
    ``first_page``, the edge's first page already read (a field expansion of the edge on its node), is not asked
    for again.
    """
    where = "GET %s" % path
    request = (path, dict(params or {}))
    seen = set()
    items = []
    for dummy in range(max_pages):
        seen.add(_request_key(*request))
        body = (
            first_page if first_page is not None else client.get_json(request[0], params=request[1], deadline=deadline)
        )
        first_page = None
        data, after, next_url = parse_page(body, where)
        items.extend(data)
        if next_url is None:
            return items
        request = (path, dict(params or {}, after=after)) if after else _next_page_request(client.base_url, next_url)
        if _request_key(*request) in seen:
            raise ResponseFormatError("%s: the paging repeats a page already read; stopped there" % where)
    raise ResponseFormatError("%s: more than %d pages; stopped following paging.next" % (where, max_pages))


def _request_key(path, params):
    return path, tuple(sorted(params.items()))


def _next_page_request(base_url, next_url):
    """(path, params) of a paging.next URL under ``base_url``; anything else is refused (the token goes only there).

    Graph puts the access token in paging.next; it is dropped: the token travels in the Authorization header.
    """
    base, url = urlsplit(base_url), urlsplit(next_url)
    if (url.scheme, url.netloc.lower()) != (base.scheme, base.netloc.lower()) or not url.path.startswith(
        base.path + "/"
    ):
        shown = "%s://%s%s" % (url.scheme, url.hostname or "?", url.path) if url.scheme else "a relative URL"
        raise ResponseFormatError(
            "paging.next points to %s, outside api_url %s: not followed, so that the token is "
            "sent nowhere else; set api_url to the host the Graph API pages on" % (safe_url(shown), safe_url(base_url))
        )
    params = {key: value for key, value in parse_qsl(url.query, keep_blank_values=True) if key != "access_token"}
    return url.path[len(base.path) :], params


CLOUD = Service("cloud", CONNECTION_ARGUMENT_SPEC, ENV_FALLBACKS, connect)


def not_ready_message(report, wait_timeout, outcome, fatal=False):
    """Why a wait for the Cloud API numbers failed: the last read's problems (or that no read succeeded), the polls
    and the time spent."""
    if report is None:
        head = "no read of the WhatsApp Cloud API numbers succeeded in %s s (%d polls)" % (
            format_seconds(wait_timeout),
            outcome.polls,
        )
        return explain_not_ready(head, outcome)
    if fatal:
        head = "stopped waiting after %d polls (%s s), since waiting cannot fix this" % (
            outcome.polls,
            format_seconds(outcome.elapsed),
        )
    else:
        head = "the WhatsApp Cloud API numbers cannot send after %s s (%d polls)" % (
            format_seconds(wait_timeout),
            outcome.polls,
        )
    return explain_not_ready(head, outcome, problems=report["problems"])


class NumbersWatch(Watch):
    """The selected numbers (``selection``: ids, waba_id, allow_limited), read once or until every one can send;
    a number that waiting cannot fix, an id missing from the WABA or a WABA without numbers end the wait.

    ``explicit_sleep`` is the wait_sleep the user gave (None: the interval within the hourly budget applies).
    """

    awaited = "the numbers to be able to send"

    def __init__(self, api, selection, wait_sleep, wait_timeout, explicit_sleep=None):
        result = dict(
            changed=False,
            waited=False,
            polls=0,
            elapsed=0.0,
            healthy=False,
            problems=[],
            numbers=[],
            missing=[],
            outcome=None,
            can_send_message=None,
            wait_sleep=wait_sleep,
            api_calls=0,
        )
        super().__init__(result)
        self.api = api
        self.ids, self.waba_id, self.allow_limited = selection
        self.wait_timeout = wait_timeout
        self.explicit_sleep = explicit_sleep
        self.verdict = None

    def before(self, waiting):
        warning = (
            budget_warning(self.explicit_sleep, self.ids, self.waba_id)
            if waiting and self.explicit_sleep is not None
            else None
        )
        return [warning] if warning else []

    def probe(self, deadline):
        try:
            return self.api.read(self.ids, self.waba_id, deadline)
        except ApiError as error:
            self.result["outcome"] = failure_outcome(error)  # in the result of a failure; a later read replaces it
            raise
        finally:
            self.result["api_calls"] = self.api.client.requests_sent  # also in a failure's result

    def _report(self, read):
        return report(read[0], self.allow_limited, read[1], self.waba_id)

    def classify(self, read):
        if self._report(read)["healthy"]:
            return DONE
        numbers, missing = read
        fatal = missing or (self.waba_id and not self.ids and not numbers) or any(map(waiting_cannot_fix, numbers))
        return FAILED if fatal else None

    def shape(self, outcome):
        result = self.result
        warnings = []
        if result["waited"] and self.explicit_sleep is None:
            warning = observed_budget_warning(result["api_calls"], result["polls"], result["wait_sleep"])
            warnings = [warning] if warning else []
        if outcome.value is not None:
            self.verdict = self._report(outcome.value)
            result.update(self.verdict)
        return warnings

    def read_once(self):
        return "read once (%s)" % ("healthy" if self.result["healthy"] else "not healthy")

    def failure(self, outcome):
        return not_ready_message(self.verdict, self.wait_timeout, outcome, fatal=outcome.state == FAILED)
