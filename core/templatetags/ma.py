import uuid

from django import template

register = template.Library()


@register.simple_tag
def uuid4() -> str:
    """A fresh client id for a form, so that submitting it twice makes one row."""
    return str(uuid.uuid4())
