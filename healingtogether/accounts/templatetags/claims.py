"""`{% load claims %}`: whether a public page offers "Is this your group? Claim it"."""

from django import template

from healingtogether.accounts import claims

register = template.Library()


@register.filter
def claimable(group) -> bool:
    return claims.claimable(group)
