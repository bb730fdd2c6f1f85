"""Writes of the bundles app: views, the API and the admin all call these."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.idempotency import create_once
from duty.models import Shift

from .models import Service, ServiceTold


@transaction.atomic
def service_told_record(
    *,
    service: Service,
    shift: Shift,
    kind: str = ServiceTold.Kind.TOLD,
    client_uuid: uuid.UUID | str | None = None,
) -> tuple[ServiceTold, bool]:
    """Count that a resident on this shift heard of the service (or was walked over to it).

    Anonymous: a row per tap, nothing about the person. Idempotent by ``client_uuid``.
    """
    if kind not in ServiceTold.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of mention.")]})
    if shift.status == Shift.Status.CANCELLED:
        raise ValidationError({"shift": [_("This shift was cancelled.")]})
    data = {"service": service.pk, "shift": shift.pk, "kind": kind}

    def create(fp: str) -> ServiceTold:
        return ServiceTold.objects.create(
            service=service, shift=shift, kind=kind, client_uuid=client_uuid, client_fingerprint=fp
        )

    return create_once(model=ServiceTold, client_uuid=client_uuid, data=data, create=create)
