"""The Pipedrive settings page: choose the status field and values, preview, save, sync now, history."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.permissions import tenant_admin_required, tenant_member_required
from customers.models import CustomerAccount, DomainRules
from integrations import selectors
from integrations.models import Connection, SyncConfig, SyncRun
from integrations.pipedrive import configuration
from integrations.pipedrive.connect_views import connection_or_404
from integrations.pipedrive.errors import PipedriveError
from integrations.pipedrive.forms import SyncConfigForm
from staircase.exceptions import ApplicationError


def _initial(config, rules: DomainRules | None) -> dict:
    return {
        "status_field_key": config.status_field_key,
        "active_option_ids": config.active_option_ids,
        "churn_option_ids": config.churn_option_ids,
        "removal_grace_days": config.removal_grace_days,
        "sync_interval_hours": config.sync_interval_hours,
        "mass_removal_threshold_pct": config.mass_removal_threshold_pct,
        "include_children": config.include_children,
        "allow_domains": "\n".join(rules.allow) if rules else "",
        "block_domains": "\n".join(rules.block) if rules else "",
        "min_secondary_contacts": rules.min_secondary_contacts if rules else 3,
    }


def _form(request: HttpRequest, connection: Connection, data=None, initial=None) -> SyncConfigForm:
    fields = configuration.status_field_choices(connection=connection)
    form = SyncConfigForm(data, initial=initial, fields=fields, can_edit_children=request.user.is_staff)
    if not request.membership.is_admin:
        for field in form.fields.values():
            field.disabled = True
    return form


def _page_context(
    request: HttpRequest, connection: Connection, form: SyncConfigForm | None, fields_error: str = ""
) -> dict:
    config = selectors.sync_config_for(connection=connection)
    runs = list(selectors.sync_runs_for(connection=connection))
    queued = connection.status == Connection.Status.CONNECTED and config.is_queued(runs[0] if runs else None)
    return {
        "connection": connection,
        "config": config,
        "form": form,
        "fields_error": fields_error,
        "runs": runs,
        "queued": queued,
        "running": queued or any(r.outcome == SyncRun.Outcome.RUNNING for r in runs),
        "held": next((r for r in runs if r.removals_held), None) if runs and runs[0].removals_held else None,
        "can_edit": request.membership.is_admin and connection.status == Connection.Status.CONNECTED,
    }


@tenant_member_required
def settings_page(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connection_or_404(request, pk)
    if request.method == "POST":
        return _save(request, connection)
    config = selectors.sync_config_for(connection=connection)
    rules = DomainRules.objects.for_tenant(request.tenant).filter(tenant=request.tenant).first()
    initial = _initial(config, rules)
    if request.GET.get("field"):
        initial["status_field_key"] = request.GET["field"]
    form, fields_error = None, ""
    if connection.status == Connection.Status.CONNECTED:
        try:
            form = _form(request, connection, initial=initial)
        except PipedriveError as exc:
            fields_error = f"Could not load the organization fields from Pipedrive: {exc.message}"
    return render(
        request, "integrations/pipedrive_settings.html", _page_context(request, connection, form, fields_error)
    )


@tenant_admin_required
@require_POST
def _save(request: HttpRequest, connection: Connection) -> HttpResponse:
    if connection.status != Connection.Status.CONNECTED:
        messages.error(request, "Reconnect Pipedrive before changing its settings.")
        return redirect("integrations:pipedrive_settings", pk=connection.pk)
    form = _form(request, connection, data=request.POST)
    if form.is_valid():
        try:
            configuration.sync_config_save(connection=connection, user=request.user, data=form.to_input())
        except ApplicationError as exc:
            for name, errors in exc.extra.get("errors", {}).items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
            if not exc.extra.get("errors"):
                form.add_error(None, exc.message)
        else:
            messages.success(request, "Pipedrive settings saved. The next sync uses them.")
            return redirect("integrations:pipedrive_settings", pk=connection.pk)
    messages.error(request, "The settings were not saved; see the highlighted fields.")
    return render(request, "integrations/pipedrive_settings.html", _page_context(request, connection, form), status=400)


@tenant_member_required
@require_GET
def field_options(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the Active/Churn multi-selects for the field just chosen."""
    connection = connection_or_404(request, pk)
    try:
        form = _form(request, connection, initial={"status_field_key": request.GET.get("status_field_key", "")})
    except PipedriveError as exc:
        return HttpResponse(f'<p class="notice error">Could not load the field from Pipedrive: {exc.message}</p>')
    return render(request, "integrations/partials/status_values.html", {"form": form})


@tenant_admin_required
@require_POST
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connection_or_404(request, pk)
    form = _form(request, connection, data=request.POST)
    context = {"form": form}
    if form.is_valid():
        config = selectors.sync_config_for(connection=connection)
        data = form.to_input()
        include_children = data.include_children if data.include_children is not None else config.include_children
        try:
            context["preview"] = configuration.preview(
                connection=connection, data=data, include_children=include_children
            )
        except ApplicationError as exc:
            context["error"] = exc.message
        except PipedriveError as exc:
            context["error"] = f"Pipedrive did not answer the preview: {exc.message}"
        context["grace_days"] = data.removal_grace_days
    return render(request, "integrations/partials/preview.html", context)


@tenant_admin_required
@require_POST
def create_field(request: HttpRequest, pk: int) -> HttpResponse:
    connection = connection_or_404(request, pk)
    try:
        created = configuration.create_staircase_field(connection=connection, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:pipedrive_settings", pk=connection.pk)
    messages.success(
        request,
        f"Created the field “{configuration.STAIRCASE_FIELD_NAME}” in Pipedrive. "
        "Choose its Active and Churned values and save.",
    )
    return redirect(
        reverse("integrations:pipedrive_settings", args=[connection.pk]) + f"?field={created.get('field_code', '')}"
    )


@tenant_admin_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    from integrations.tasks import sync_connection

    connection = connection_or_404(request, pk)
    config = selectors.sync_config_for(connection=connection)
    if connection.status != Connection.Status.CONNECTED or not config.is_configured:
        messages.error(request, "Save the Pipedrive settings of a connected Pipedrive before syncing.")
    else:
        SyncConfig.objects.for_tenant(request.tenant).filter(pk=config.pk).update(sync_requested_at=timezone.now())
        transaction.on_commit(lambda: sync_connection.delay(connection.pk, trigger=SyncRun.Trigger.MANUAL))
        audit_record(
            tenant=request.tenant,
            actor=request.user,
            action="sync.requested",
            target=connection,
            target_label=connection.label,
        )
        messages.success(request, "Sync started. Its progress shows in the history below.")
    return redirect(reverse("integrations:pipedrive_settings", args=[connection.pk]) + "#history")


@tenant_member_required
@require_GET
def runs(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the history table; it keeps polling while a run is going."""
    connection = connection_or_404(request, pk)
    return render(request, "integrations/partials/sync_history.html", _page_context(request, connection, None))


@tenant_admin_required
@require_POST
def confirm_removals(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    from integrations.pipedrive.removal import removals_confirm

    connection = connection_or_404(request, pk)
    try:
        run = selectors.sync_run_get(tenant=request.tenant, connection=connection, pk=run_pk)
    except SyncRun.DoesNotExist as exc:
        raise Http404("No such sync run") from exc
    try:
        count = removals_confirm(run=run, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        config = selectors.sync_config_for(connection=connection)
        messages.success(request, f"{count} accounts start their {config.removal_grace_days}-day removal grace now.")
    return redirect("integrations:pipedrive_settings", pk=connection.pk)


def held_accounts(run: SyncRun) -> list[CustomerAccount]:
    return list(
        CustomerAccount.objects.for_tenant(run.tenant_id).filter(pk__in=run.held_removal_ids[:50]).order_by("name")
    )
