# Copyright: (c) 2026, Hypersender WhatsApp collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hypersender WhatsApp Enterprise API handlers (Laravel flavoured), after auth and rate limiting."""

from __future__ import annotations

from .hypersender_actions import trim
from .response import Response
from .scenario import HYPERSENDER_STATUSES

PREFIX = "/api/whatsapp/v1"
ALLOWED_FILTERS = ("uuid", "name", "phone", "status")

UNAUTHENTICATED = {"message": "Unauthenticated."}
RESOURCE_NOT_FOUND = {"message": "Resource not found."}
ROUTE_NOT_FOUND = {"message": "Not found."}
TOO_MANY_REQUESTS = {"message": "Too many requests. Please try again later."}


def method_not_allowed(method, path, allowed):
    return Response.json(
        405,
        {
            "message": "The %s method is not supported for route %s. Supported methods: %s."
            % (method, path.lstrip("/"), ", ".join(allowed))
        },
        {"Allow": ", ".join(allowed)},
    )


def _filters(query):
    """`filter[x]=v` pairs, trimmed (Laravel's TrimStrings); empty values are ignored, as spatie/laravel-query-builder does."""
    filters = {}
    unknown = []
    for key, values in query.items():
        if not (key.startswith("filter[") and key.endswith("]")):
            continue
        name = key[len("filter[") : -1]
        if name not in ALLOWED_FILTERS:
            unknown.append(name)
        elif trim(values[-1]) != "":
            filters[name] = trim(values[-1])
    return filters, unknown


def list_instances(scenario, elapsed, query):
    filters, unknown = _filters(query)
    if unknown:
        return Response.json(
            400,
            {
                "message": "Requested filter(s) `%s` are not allowed. Allowed filter(s) are `%s`."
                % (", ".join(unknown), ", ".join(ALLOWED_FILTERS))
            },
        )
    wanted_status = filters.get("status")
    if wanted_status is not None and wanted_status not in HYPERSENDER_STATUSES:
        message = "The selected filter[status] is invalid."
        return Response.json(422, {"message": message, "errors": {"filter.status": [message]}})
    name_part = filters.get("name", "").lower()
    listing = []
    for instance in scenario.hypersender.instances:
        if "uuid" in filters and instance.id != filters["uuid"]:
            continue
        if "phone" in filters and instance.phone != filters["phone"]:
            continue
        if name_part and name_part not in instance.name.lower():
            continue
        item = instance.as_listing(elapsed)
        if wanted_status is not None and item["status"] != wanted_status:
            continue
        listing.append(item)
    return Response.json(200, listing)


def instance_health(scenario, elapsed, instance_id):
    instance = scenario.hypersender.by_id.get(instance_id)
    if instance is None:
        return Response.json(404, RESOURCE_NOT_FOUND)
    return Response.json(200, instance.as_health(elapsed))
